"""Browser fixtures: Debian's chromium driven by Playwright against pytest-django's live server.

These tests never skip. If chromium or axe-core is missing they fail with a message saying how to
install it (`make browser` installs chromium; `make static` runs `npm ci`, which brings axe-core).
Playwright never downloads a browser here (no `playwright install`).
"""

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SAMVIRKE_CHROMIUM", "/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: WCAG 2.0 and 2.1, A and AA: what forskrift om universell utforming av IKT-løsninger requires.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "demo-samvirke-2026"


def _root_conftest():
    spec = importlib.util.spec_from_file_location("samvirke_root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


current_code = _root_conftest().current_code


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser is a browser test, whether or not the author remembered the mark."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A browser test that skips (for whatever reason) counts as a failure: nothing is skipped silently."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("browser") and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"browser test skipped, which is not allowed here: {report.longrepr}"


def _require_tools():
    chromium = CHROMIUM if os.path.isabs(CHROMIUM) else shutil.which(CHROMIUM)
    if not chromium or not os.access(chromium, os.X_OK):
        pytest.fail(
            f"Debian's chromium is missing ({CHROMIUM}). The browser tests do not skip: install it with "
            "`make browser` (as root: apt-get install -y chromium). Never run `playwright install`.",
            pytrace=False,
        )
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing ({AXE_JS}); run `make static` (npm ci).", pytrace=False)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("The Python package playwright is missing; run `make install`.", pytrace=False)
    return chromium


@pytest.fixture(scope="module")
def browser(live_server):
    """One chromium per test module. Started after the live server, stopped before it."""
    chromium = _require_tools()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, which makes Django refuse ORM
    # calls from the test itself (fixtures, TOTP codes, flushing the database). The server runs in its
    # own thread, so allowing it here is safe; we undo it when the browser stops.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class BrowserSession:
    """A page plus helpers: sign in through the real forms, run axe, take screenshots."""

    def __init__(self, page, base_url, console):
        self.page = page
        self.base_url = base_url
        self.console = console

    def goto(self, path):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        return response

    def submit(self, selector):
        """Click a submit button and wait until the answer has loaded: a refused form is answered with the
        same page again, so there is no URL to wait for (and an element count right after the click can
        still read the page that is being left)."""
        with self.page.expect_navigation():
            self.page.locator(selector).click()

    def sign_in(self, username="demo-coordinator", password=PASSWORD, *, verify=True):
        from django.contrib.auth import get_user_model

        page = self.page
        self.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.locator("main form.smv-form button[type=submit]").click()
        page.wait_for_url("**/accounts/mfa/verify/**")
        if verify:
            user = get_user_model().objects.get(username=username)
            page.fill("input[name=code]", current_code(user))
            page.locator("main form.smv-form button[type=submit]").click()
            page.wait_for_url("**/overview/")
        return page

    def axe_violations(self):
        """Run axe-core (injected through the DevTools protocol, so the page's strict CSP stays on)."""
        page = self.page
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(AXE_SOURCE())
        result = page.evaluate(
            "(t) => axe.run(document, {runOnly: {type: 'tag', values: t}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        return result["violations"]

    def axe(self, label=None):
        violations = self.axe_violations()
        where = label or self.page.url
        assert not violations, f"axe found violations on {where}:\n" + format_violations(violations)

    def assert_no_console_errors(self):
        errors = [m for m in self.console if m[0] == "error"]
        report = "\n".join(text for _kind, text in errors)
        assert not errors, f"Browser console errors (CSP violations, failed loads, script errors):\n{report}"

    def screenshot(self, name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path


_axe_cache = {}


def AXE_SOURCE():
    if "src" not in _axe_cache:
        _axe_cache["src"] = AXE_JS.read_text(encoding="utf-8")
    return _axe_cache["src"]


def format_violations(violations):
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:8]:
            summary = node.get("failureSummary", "").strip().replace("\n", " | ")
            lines.append(f"    {node['target']}: {summary}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)


@pytest.fixture
def demo(transactional_db):
    """Browser tests use the live server, so the demo is committed for real (and flushed after each test)."""
    from samvirke.demo.loader import load_demo

    return load_demo()


@pytest.fixture
def session_factory(browser, live_server, demo):
    """Factory for fresh browser contexts (own cookies) on the live server with the demo region loaded."""
    contexts = []

    def make(*, locale="nb-NO", javascript=True, viewport=None):
        context = browser.new_context(
            locale=locale,
            java_script_enabled=javascript,
            viewport=viewport or {"width": 1280, "height": 900},
            timezone_id="Europe/Oslo",
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        console = []
        page.on("console", lambda msg: console.append((msg.type, msg.text)))
        page.on("pageerror", lambda exc: console.append(("error", str(exc))))
        return BrowserSession(page, live_server.url, console)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def one_time_code(demo):
    """The current TOTP code of a demo user, computed by the project's conftest helper."""
    from django.contrib.auth import get_user_model

    return lambda username: current_code(get_user_model().objects.get(username=username))


@pytest.fixture
def web(session_factory):
    """A Norwegian-speaking visitor with JavaScript on."""
    return session_factory()
