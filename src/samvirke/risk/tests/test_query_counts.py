"""Risk pages keep a constant number of queries as analyses, events and measures grow."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samvirke.core.access import AccessLevel
from samvirke.risk import services
from samvirke.risk.models import ConsequenceType, RiskAnalysis

_numbers = itertools.count(1)


def grow(actor, analysis, n):
    """n more events (GREEN and AMBER+STRICT, assessed on two types), a measure each, and an analysis."""
    types = list(ConsequenceType.objects.filter(scale_set=analysis.scale_set).prefetch_related("levels")[:2])
    likelihood = analysis.scale_set.likelihood_classes.get(position=3)
    for i in range(n):
        number = next(_numbers)
        level = AccessLevel.GREEN if i % 2 else AccessLevel.AMBER_STRICT
        event = services.event_create(
            actor=actor,
            analysis_id=analysis.pk,
            data={"title": f"Vekst {number}", "likelihood": likelihood, "likelihood_reasoning": "x",
                  "access_level": level},
            consequences={t: (t.levels.all()[i % 5], "grunn") for t in types},
        )  # fmt: skip
        services.measure_create(
            actor=actor,
            analysis_id=analysis.pk,
            data={
                "title": f"Tiltak {number}",
                "deadline": datetime.date(2020, 1, 1),
                "likelihood_reduction": 1,
            },
            events=[event],
        )
        services.analysis_create(
            actor=actor,
            owner_id=analysis.owner_id,
            data={"title": f"Analyse {number}", "kind": "hros", "scale_set": analysis.scale_set,
                  "access_level": level},
        )  # fmt: skip


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("page", ["list", "detail", "matrix", "matrix_type", "overview"])
def test_risk_pages_have_flat_query_counts(signed_in, actor_of, page):
    actor = actor_of("demo-rana")
    analysis = RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")
    url = {
        "list": "/risk/",
        "detail": f"/risk/{analysis.pk}/",
        "matrix": f"/risk/{analysis.pk}/matrix/",
        "matrix_type": f"/risk/{analysis.pk}/matrix/?type=dodsfall",
        "overview": "/overview/",
    }[page]
    client = signed_in("demo-rana")
    grow(actor, analysis, 2)
    client.get(url)  # warm-up
    small, body_small = count(client, url)
    grow(actor, analysis, 6)
    large, body_large = count(client, url)
    if page != "overview":
        assert body_large.count("Vekst") + body_large.count("Analyse ") > body_small.count(
            "Vekst"
        ) + body_small.count("Analyse "), "the page did not grow"
    assert small == large, f"{url}: {small} queries before, {large} after growing"
