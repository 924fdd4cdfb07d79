"""WCAG 2.1 A/AA (axe-core) on the risk library pages: scale sets (list, detail with the colour grid, copy,
edit) and the event-type library, reached through the real sign-in."""

import pytest

pytestmark = pytest.mark.browser


def test_scale_set_pages(web):
    web.sign_in("demo-rana")
    web.goto("/risk/scales/")
    web.axe("scale sets")
    web.goto("/risk/scales/dsb-2014-kommune/")
    assert web.page.locator("svg[role=img] title").count() == 1
    web.axe("scale set")
    web.goto("/risk/scales/dsb-2014-kommune/copy/")
    web.axe("copy scale set")
    web.page.get_by_role("button", name="Kopier").click()
    web.page.wait_for_url("**/edit/")
    web.axe("edit scale set")
    web.assert_no_console_errors()


def test_event_type_pages(web):
    web.sign_in("demo-hemnes")
    web.goto("/risk/event-types/")
    web.axe("event types")
    web.goto("/risk/event-types/new/")
    web.axe("new event type")
    web.assert_no_console_errors()
