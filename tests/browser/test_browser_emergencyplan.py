"""Nesna's emergency plan in a real browser, as Nesna's preparedness advisor: the plan, its parts, the alert
list (a stale entry updated and marked verified), the coverage view and the binder downloaded as HTML and PDF,
with axe-core (WCAG 2.1 A/AA) on every page on the way."""

import re

import pytest
from django.utils import timezone

from samvirke.core.access import actor_for_user
from samvirke.emergencyplan import entries, selectors
from samvirke.emergencyplan.parts import BY_KEY
from samvirke.organisations.models import Organisation

pytestmark = pytest.mark.browser


def _nesna_plan():
    from django.contrib.auth import get_user_model

    actor = actor_for_user(get_user_model().objects.get(username="demo-nesna"), verified=True)
    plan = selectors.plan_of(actor, Organisation.objects.get(municipality_number="1828"))
    return actor, plan


def test_nesna_editor_updates_the_alert_list_and_downloads_the_binder(web, tmp_path):
    actor, plan = _nesna_plan()
    alert_list = selectors.get_part_for(actor, plan, BY_KEY["alert_list"])
    stale = next(e for e in alert_list.entries if e["name"] == "Kommuneoverlege")
    assert entries.is_stale(stale, timezone.localdate())
    page = web.page
    web.sign_in("demo-nesna")

    # The plan, from the document register's link.
    web.goto(f"/plans/organisations/{plan.owner_id}/documents/")
    page.locator(f"a[href='/emergency-plans/organisations/{plan.owner_id}/']").click()
    page.wait_for_url(f"**/emergency-plans/{plan.pk}/")
    assert plan.title in page.locator("h1").inner_text()
    web.axe("emergency plan")

    # The alert list: the stale entry is flagged.
    page.locator(f"main a[href='/emergency-plans/{plan.pk}/alert-list/']").first.click()
    page.wait_for_url(f"**/emergency-plans/{plan.pk}/alert-list/")
    row = page.locator(f"#entry-{stale['key']}")
    assert "Foreldet" in row.inner_text()
    web.axe("alert list")

    # Update the phone number.
    row.locator(f"a[href$='/entries/{stale['key']}/']").click()
    page.wait_for_url(f"**/entries/{stale['key']}/")
    web.axe("alert-list entry form")
    page.fill("input[name=phone]", "+47 004 99 99 99")
    page.locator("main form.smv-form button[type=submit]").click()
    page.wait_for_url(f"**/emergency-plans/{plan.pk}/alert-list/**")
    row = page.locator(f"#entry-{stale['key']}")
    assert "+47 004 99 99 99" in row.inner_text()

    # Mark it verified today: no longer stale.
    row.locator("form[action$='/verified/'] button").click()
    page.wait_for_url(f"**/emergency-plans/{plan.pk}/alert-list/**")
    assert page.locator(f"#entry-{stale['key']}.smv-state-td--missing").count() == 0
    web.axe("alert list after the update")

    # Coverage and a part page.
    web.goto(f"/emergency-plans/{plan.pk}/coverage/")
    assert page.locator("tr.smv-state-td--missing").count() >= 1
    web.axe("coverage")
    web.goto(f"/emergency-plans/{plan.pk}/evacuation/")
    web.axe("evacuation plan")

    # The binder: HTML and PDF, with the new number and the content hash.
    web.goto(f"/emergency-plans/{plan.pk}/")
    with page.expect_download() as info:
        page.locator(f"a[href='/emergency-plans/{plan.pk}/binder.html']").click()
    html_path = tmp_path / "beredskapsperm.html"
    info.value.save_as(html_path)
    html = html_path.read_text(encoding="utf-8")
    assert "+47 004 99 99 99" in html and plan.title in html
    assert re.search(r"\b[0-9a-f]{64}\b", html)
    assert not re.search(r"https?:|<script|<link|\bsrc=", html)
    with page.expect_download() as info:
        page.locator(f"a[href='/emergency-plans/{plan.pk}/binder.pdf']").click()
    pdf_path = tmp_path / "beredskapsperm.pdf"
    info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")

    # The downloaded HTML opens on its own, without the server.
    offline = web.page.context.new_page()
    offline.goto(html_path.as_uri())
    assert plan.title in offline.locator("h1").inner_text()
    offline.close()
    web.assert_no_console_errors()


def test_emergency_plan_pages_are_accessible(web):
    actor, plan = _nesna_plan()
    card = selectors.cards_of(actor, plan)[0]
    web.sign_in("demo-nesna")
    for path, label in (
        (f"/emergency-plans/regions/{plan.owner.region_id}/", "regional list"),
        (f"/emergency-plans/{plan.pk}/crisis-management/", "crisis management"),
        (f"/emergency-plans/{plan.pk}/resources/", "resource overview"),
        (f"/emergency-plans/{plan.pk}/communication/edit/", "part form"),
        (f"/emergency-plans/{plan.pk}/action-cards/{card.pk}/", "action card"),
        (f"/emergency-plans/{plan.pk}/action-cards/{card.pk}/edit/", "action card form"),
        (f"/emergency-plans/{plan.pk}/alert-list/history/", "alert-list history"),
        (f"/emergency-plans/{plan.pk}/alert-list/entries/new/", "new alert-list entry"),
    ):
        web.goto(path)
        web.axe(label)
    # A refused entry: the reasons in the error summary, accessible too.
    web.page.fill("input[name=name]", "Uten kontaktvei")
    web.page.locator("main form.smv-form button[type=submit]").click()
    web.page.wait_for_selector(".ds-error-summary")
    web.axe("refused alert-list entry")
    web.assert_no_console_errors()
