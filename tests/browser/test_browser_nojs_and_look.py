"""Works without JavaScript, and looks right: screenshots of the region overview for people to check.

The screenshots land in test-artifacts/ (not committed): overview-nb.png and overview-sv.png.
"""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.browser


def test_language_switcher_and_sign_in_work_without_javascript(session_factory, one_time_code):
    web = session_factory(javascript=False)
    page = web.page
    web.goto("/")
    assert page.locator("html").get_attribute("lang") == "nb"

    # Switch language with the plain form: select, then the submit button.
    page.select_option("#smv-language", "sv")
    page.locator("form.smv-lang button[type=submit]").click()
    page.wait_for_selector('html[lang="sv"]')
    assert "Logga in" in page.locator("header").inner_text()

    # Sign in through the real forms, in Swedish.
    page.locator("header a.ds-button", has_text="Logga in").click()
    page.wait_for_url("**/accounts/login/**")
    assert page.locator("h1").inner_text() == "Logga in i Samvirke"
    page.fill("input[name=username]", "demo-storuman")
    page.fill("input[name=password]", "demo-samvirke-2026")
    page.locator("main form.smv-form button[type=submit]").click()
    page.wait_for_url("**/accounts/mfa/verify/**")
    page.fill("input[name=code]", one_time_code("demo-storuman"))
    page.locator("main form.smv-form button[type=submit]").click()
    page.wait_for_url("**/overview/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("#municipalities-heading").inner_text() == "Kommuner"
    assert page.get_by_role("columnheader", name="Invånare").count() == 1

    # And back to bokmål, which is remembered on the account.
    page.select_option("#smv-language", "nb")
    page.locator("form.smv-lang button[type=submit]").click()
    page.wait_for_selector('html[lang="nb"]')
    assert page.url.endswith("/overview/")
    assert get_user_model().objects.get(username="demo-storuman").language == "nb"

    # Sign out is a plain form too.
    page.locator("header form[action$='/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")


def test_skip_link_is_first_and_reaches_main(web):
    web.goto("/")
    web.page.keyboard.press("Tab")
    focused = web.page.evaluate("() => document.activeElement.className")
    assert "ds-skip-link" in focused
    assert web.page.locator(".ds-skip-link").is_visible(), "the skip link must show when it has focus"
    web.page.keyboard.press("Enter")
    assert web.page.evaluate("() => document.activeElement.id") == "main"


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_overview_screenshot(session_factory, language):
    web = session_factory(locale={"nb": "nb-NO", "sv": "sv-SE"}[language])
    web.sign_in()
    if language != "nb":
        web.page.select_option("#smv-language", language)
        web.page.locator("form.smv-lang button[type=submit]").click()
        web.page.wait_for_selector(f'html[lang="{language}"]')
    page = web.page
    # The Designsystemet styles really loaded (a broken static path would leave a bare page).
    assert page.evaluate("() => getComputedStyle(document.querySelector('.ds-table')).borderCollapse") in (
        "collapse",
        "separate",
    )
    header_bg = page.evaluate("() => getComputedStyle(document.querySelector('.smv-header')).backgroundColor")
    assert header_bg not in ("rgba(0, 0, 0, 0)", "transparent"), "no header background: is the CSS loaded?"
    path = web.screenshot(f"overview-{language}.png")
    assert path.stat().st_size > 20_000
    web.assert_no_console_errors()


def test_page_gallery(web, one_time_code):
    """Screenshots of the main pages (test-artifacts/pages/) for a human look at the design."""
    from samvirke.notices.models import Notice

    web.goto("/")
    web.screenshot("pages/home.png")
    web.goto("/accounts/login/")
    web.screenshot("pages/login.png")
    web.sign_in("demo-rana", verify=False)
    web.page.fill("input[name=code]", "000")
    web.page.locator("main form.smv-form button[type=submit]").click()
    web.page.wait_for_selector(".ds-error-summary")
    web.screenshot("pages/mfa-verify-error.png")
    web.page.fill("input[name=code]", one_time_code("demo-rana"))
    web.page.locator("main form.smv-form button[type=submit]").click()
    web.page.wait_for_url("**/overview/")
    web.goto("/notices/")
    web.screenshot("pages/notices.png")
    notice = Notice.objects.get(title__startswith="Strømbrudd")
    web.goto(f"/notices/{notice.pk}/")
    web.screenshot("pages/notice-detail.png")
    web.goto(f"/notices/{notice.pk}/history/")
    web.screenshot("pages/notice-history.png")
    web.goto("/notices/new/")
    web.page.fill("input[name=title]", "Øvelse")
    web.page.fill("textarea[name=body]", "Skal inneholde HEMMELIG informasjon.")
    web.page.locator("main form.smv-form button[type=submit]").click()
    web.page.wait_for_selector(".ds-error-summary")
    web.screenshot("pages/notice-form-errors.png")
    web.goto("/accounts/profile/")
    web.screenshot("pages/profile.png")
