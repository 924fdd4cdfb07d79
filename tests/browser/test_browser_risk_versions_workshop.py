"""WCAG 2.1 A/AA (axe-core) on the adopted-version, workshop and history pages of a risk analysis,
reached through the real sign-in (Norwegian, JavaScript on; the pages need none)."""

import pytest

from samvirke.core.access import actor_for_user
from samvirke.risk import services, versions, workshop
from samvirke.risk.models import AnalysedEvent, RiskAnalysis

pytestmark = pytest.mark.browser


def test_versions_workshop_and_history_pages(web):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    rana = actor_for_user(users.get(username="demo-rana"), verified=True)
    reader = actor_for_user(users.get(username="demo-rana-reader"), verified=True)
    analysis = RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")
    flood = AnalysedEvent.objects.get(analysis=analysis, title="Flom i Ranelva")
    version, _created = versions.version_freeze(actor=rana, analysis_id=analysis.pk)
    services.event_update(
        actor=rana, analysis_id=analysis.pk, event_id=flood.pk, expected_version=flood.version,
        data={"likelihood": analysis.scale_set.likelihood_classes.get(code="E"),
              "likelihood_reasoning": "Oftere flom."},
    )  # fmt: skip
    session = workshop.session_create(
        actor=rana, analysis_id=analysis.pk, title="Verksted", event_ids=[flood.pk]
    )
    workshop.score_submit(
        actor=reader, analysis_id=analysis.pk, session_id=session.pk, event_id=flood.pk,
        likelihood=2, consequences={"okonomi": 4}, knowledge_strength="weak",
    )  # fmt: skip
    base = f"/risk/{analysis.pk}"
    web.sign_in("demo-rana")
    pages = {
        "versions": f"{base}/versions/",
        "version comparison": f"{base}/versions/{version.number}/diff/",
        "workshops": f"{base}/workshops/",
        "new workshop": f"{base}/workshops/new/",
        "workshop (facilitator)": f"{base}/workshops/{session.pk}/",
        "workshop score": f"{base}/workshops/{session.pk}/score/",
        "agreed values": f"{base}/workshops/{session.pk}/events/{flood.pk}/agree/",
        "analysis history": f"{base}/history/",
        "event history": f"{base}/events/{flood.pk}/history/",
    }
    for label, path in pages.items():
        web.goto(path)
        web.axe(label)
    web.goto(pages["workshop (facilitator)"])
    assert web.page.locator("table caption").count() == 1  # the spread, with a caption
    web.assert_no_console_errors()
