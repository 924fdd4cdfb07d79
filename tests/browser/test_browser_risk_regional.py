"""WCAG 2.1 A/AA (axe-core) on the regional risk pages, reached through the real sign-in; the filter form
and the matrix cells work without JavaScript."""

import pytest

from samvirke.risk.models import AnalysedEvent

pytestmark = pytest.mark.browser


def test_regional_pages_pass_axe(web):
    web.sign_in("demo-coordinator")
    web.goto("/risk/regional/")
    assert web.page.locator("table caption").count() >= 1
    web.axe("regional risk matrix")
    web.goto("/risk/regional/?measures=after&likelihood=5&consequence=3")
    web.axe("regional risk matrix, after measures, one cell")
    web.goto("/risk/compare/")
    web.axe("compare index")
    event = AnalysedEvent.objects.filter(event_type__name="Snøskred og stengt vei").first()
    web.goto(f"/risk/compare/{event.event_type_id}/")
    web.axe("comparison of one event type")
    web.goto("/risk/measures/?overdue=1")
    web.axe("measures in the region")
    web.assert_no_console_errors()


def test_filters_and_cells_work_without_javascript(session_factory):
    web = session_factory(javascript=False)
    web.sign_in("demo-coordinator")
    web.goto("/risk/regional/")
    page = web.page
    page.select_option("#f-kind", "rsa")
    page.locator("form.smv-filters button[type=submit]").click()
    page.wait_for_url("**kind=rsa**")
    events = page.locator("#events tbody tr")
    assert events.count() >= 1
    assert page.locator("#events").inner_text().count("Storuman") >= 1
    # A count in the table alternative is a link to that cell's events, keeping the filter.
    page.locator("table.ds-table a.ds-link[href*='likelihood=']").first.click()
    page.wait_for_url("**likelihood=**")
    assert "kind=rsa" in page.url
    assert page.locator("#events tbody tr").count() >= 1
