"""WCAG 2.1 A/AA with axe-core in a real browser (Debian's chromium), on the pages people use most.

The public sector in Norway must meet these criteria (forskrift om universell utforming av IKT-løsninger).
Every page is reached through the real forms: password, then one-time code.
"""

import pytest

from samvirke.notices.models import Notice

pytestmark = pytest.mark.browser


def test_axe_really_finds_faults(web):
    """Guard against a silently broken checker: plant two faults and axe must report both."""
    web.goto("/")
    web.page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend', '<img src="/static/samvirke/favicon.svg">');
            main.insertAdjacentHTML('beforeend', '<p class="planted">Grå på hvitt</p>');
            const p = main.querySelector('.planted');
            p.style.color = '#bbbbbb';
        }"""
    )
    found = {v["id"] for v in web.axe_violations()}
    assert {"image-alt", "color-contrast"} <= found, found


def test_public_pages(web):
    for path in ("/", "/notices/", "/accessibility/", "/accounts/password/reset/"):
        web.goto(path)
        web.axe(path)
    web.assert_no_console_errors()


def test_not_found_page(web):
    response = web.page.goto(web.base_url + "/notices/999999/")
    assert response.status == 404
    web.axe("404 page")


def test_login_page_and_errors(web):
    web.goto("/accounts/login/")
    web.axe("login page")
    web.page.fill("input[name=username]", "demo-coordinator")
    web.page.fill("input[name=password]", "wrong password")
    web.page.locator("main form.smv-form button[type=submit]").click()
    web.page.wait_for_selector(".ds-error-summary")
    web.axe("login page with an error")
    web.assert_no_console_errors()


def test_mfa_verify_page(web):
    web.sign_in(verify=False)
    web.axe("one-time code page")
    web.page.fill("input[name=code]", "12")
    web.page.locator("main form.smv-form button[type=submit]").click()
    web.page.wait_for_selector(".ds-validation-message")
    web.axe("one-time code page with an error")
    web.assert_no_console_errors()


def test_region_overview(web):
    web.sign_in()
    assert web.page.locator("h2#municipalities-heading").inner_text() == "Kommuner"
    web.axe("region overview")
    web.assert_no_console_errors()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_region_overview_in_other_languages(session_factory, language):
    web = session_factory()
    web.sign_in()
    web.page.select_option("#smv-language", language)
    web.page.locator("form.smv-lang button[type=submit]").click()
    web.page.wait_for_selector(f'html[lang="{language}"]')
    web.axe(f"region overview ({language})")


def test_notices_list_and_detail(web):
    web.sign_in()
    web.goto("/notices/")
    web.axe("notices list")
    web.page.locator("main table a.ds-link").first.click()
    web.page.wait_for_selector("article h1")
    web.axe("notice detail")
    web.assert_no_console_errors()


def test_notice_form_with_validation_errors(web):
    web.sign_in()
    web.goto("/notices/new/")
    web.axe("new notice form")
    web.page.locator("main form.smv-form button[type=submit]").click()
    web.page.wait_for_selector(".ds-error-summary")
    assert web.page.locator(".ds-validation-message").count() >= 1
    web.axe("new notice form with errors")
    web.assert_no_console_errors()


def test_notice_edit_and_history(web):
    notice = Notice.objects.filter(owner__short_name="Rana").order_by("pk").first() or Notice.objects.first()
    web.sign_in("demo-rana")
    web.goto(f"/notices/{notice.pk}/edit/")
    web.axe("edit notice form")
    web.page.fill("input[name=title]", notice.title + " (oppdatert)")
    web.page.locator("main form.smv-form button[type=submit]").click()
    web.page.wait_for_url(f"**/notices/{notice.pk}/")
    web.axe("notice detail after saving (success message)")
    web.goto(f"/notices/{notice.pk}/history/")
    assert web.page.locator("ol.smv-history > li").count() >= 2
    web.axe("history page")
    web.assert_no_console_errors()


def test_profile_page(web):
    web.sign_in()
    web.goto("/accounts/profile/")
    web.axe("profile page")
    web.page.fill("input[name=name]", "GIS-integrasjon")
    web.page.locator("form[action$='/tokens/new/'] button[type=submit]").click()
    web.page.wait_for_selector("#raw-token")
    web.axe("token created page")
    web.assert_no_console_errors()


def test_narrow_screen(session_factory):
    """Reflow (WCAG 1.4.10): the overview at 320 CSS pixels wide needs no sideways scrolling of the page."""
    web = session_factory(viewport={"width": 320, "height": 640})
    web.sign_in()
    web.axe("region overview on a narrow screen")
    overflow = web.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px at 320px"


def test_organisation_directory_and_membership_pages(web):
    from samvirke.organisations.models import Membership, Organisation

    luroy = Organisation.objects.get(municipality_number="1834")
    advisor = Membership.objects.get(user__username="demo-luroy", organisation=luroy)
    web.sign_in("demo-coordinator")
    web.goto("/organisations/")
    web.axe("organisation list")
    web.goto(f"/organisations/{luroy.pk}/")
    web.axe("organisation detail with administration links")
    web.goto(f"/organisations/{luroy.pk}/members/new/")
    web.page.locator("main form.smv-form button[type=submit]").click()
    web.page.wait_for_selector(".ds-error-summary")
    web.axe("add a person with errors")
    web.goto(f"/organisations/{luroy.pk}/members/{advisor.pk}/deactivate/")
    web.axe("deactivate confirmation")
    web.assert_no_console_errors()
