"""Two-factor enforcement (ASVS V6.3.3): members must pass TOTP; until then they see public content only."""

import base64
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import current_code, sign_in
from samvirke.core.access import AccessLevel, Role
from samvirke.notices.models import Notice
from samvirke.organisations.models import Membership, Organisation

PASSWORD = "a-long-enough-passphrase-2026"
MFA_MIDDLEWARE = "samvirke.accounts.middleware.RequireMFAMiddleware"


def translated(message: str, language: str = "nb") -> str:
    """The message as the page shows it: in the user's language, HTML-escaped."""
    with translation.override(language):
        return escape(gettext(message))


def code_for(device) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def other_code(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


@pytest.fixture
def notices(demo):
    clear = Notice.objects.filter(access_level=AccessLevel.CLEAR).values_list("title", flat=True)
    protected = Notice.objects.exclude(access_level=AccessLevel.CLEAR).values_list("title", flat=True)
    green = Notice.objects.filter(access_level=AccessLevel.GREEN).values_list("title", flat=True)
    assert clear and green
    return {"clear": list(clear), "protected": list(protected), "green": list(green)}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/overview/", "/notices/", "/notices/new/", "/accounts/profile/"])
def test_member_without_code_is_sent_to_verify_from_every_page(demo, path):
    client = sign_in(Client(), "demo-rana", verify=False)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/mfa/verify/?next={path}"


@pytest.mark.django_db
def test_member_without_device_is_sent_to_setup(demo):
    user = get_user_model().objects.get(username="demo-rana")
    TOTPDevice.objects.filter(user=user).delete()
    client = sign_in(Client(), "demo-rana", verify=False)
    response = client.get("/notices/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/setup/?next=/notices/"


@pytest.mark.django_db
def test_unverified_member_sees_only_clear_even_without_the_redirect(notices):
    """Defence in depth: with RequireMFAMiddleware removed, the Actor still has no memberships."""
    client = sign_in(Client(), "demo-rana", verify=False)
    middleware = [m for m in settings.MIDDLEWARE if m != MFA_MIDDLEWARE]
    with override_settings(MIDDLEWARE=middleware):
        bare = Client()  # a client loads its middleware on first use, so take a new one with the same session
        bare.cookies = client.cookies
        response = bare.get("/notices/")
    assert response.status_code == 200
    body = response.content.decode()
    for title in notices["clear"]:
        assert escape(title) in body
    for title in notices["protected"]:
        assert escape(title) not in body

    # The same session, verified, sees the region's GREEN notices: the difference is the second factor.
    client.post(
        "/accounts/mfa/verify/", {"code": current_code(get_user_model().objects.get(username="demo-rana"))}
    )
    body = client.get("/notices/").content.decode()
    for title in notices["green"]:
        assert escape(title) in body


@pytest.mark.django_db
def test_unverified_session_on_the_api_sees_nothing_non_public(notices):
    client = sign_in(Client(), "demo-rana", verify=False)
    response = client.get("/api/v1/notices?page_size=200")
    assert response.status_code == 200
    titles = {item["title"] for item in response.json()["items"]}
    assert titles == set(notices["clear"])
    for notice in Notice.objects.exclude(access_level=AccessLevel.CLEAR):
        assert client.get(f"/api/v1/notices/{notice.pk}").status_code == 404
    assert client.get("/api/v1/organisations").json()["items"] == []


@pytest.mark.django_db
def test_unverified_member_cannot_create_api_token(demo):
    client = sign_in(Client(), "demo-rana", verify=False)
    response = client.post("/accounts/tokens/new/", {"name": "sneaky"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/verify/")
    assert not get_user_model().objects.get(username="demo-rana").api_tokens.exists()


@pytest.mark.django_db
def test_visitor_without_membership_is_not_forced(notices):
    client = sign_in(Client(), "demo-visitor", verify=False)
    for path in ("/overview/", "/notices/", "/accounts/profile/"):
        assert client.get(path).status_code == 200, path
    body = client.get("/notices/").content.decode()
    for title in notices["green"]:
        assert escape(title) not in body
    # ... but a visitor must still use two factors before issuing an API token.
    response = client.post("/accounts/tokens/new/", {"name": "x"})
    assert response["Location"] == "/accounts/mfa/verify/"  # the demo visitor has an authenticator
    assert not get_user_model().objects.get(username="demo-visitor").api_tokens.exists()


@pytest.mark.django_db
def test_setup_flow_end_to_end(notices):
    user = get_user_model().objects.create_user("new-advisor", "new@example.invalid", PASSWORD, language="nb")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(municipality_number="1833"), role=Role.READER
    )
    client = Client()
    response = client.post("/accounts/login/", {"username": "new-advisor", "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"] == "/accounts/mfa/setup/?next=/overview/"
    assert client.get("/accounts/mfa/verify/")["Location"] == "/accounts/mfa/setup/"

    page = client.get("/accounts/mfa/setup/?next=/notices/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    body = page.content.decode()
    assert "<svg" in body
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret in body
    # Reloading the page keeps the same secret rather than piling up devices.
    assert secret in client.get("/accounts/mfa/setup/").content.decode()
    assert TOTPDevice.objects.filter(user=user).count() == 1

    right = code_for(device)
    response = client.post("/accounts/mfa/setup/", {"code": other_code(right), "next": "/notices/"})
    assert response.status_code == 200
    assert translated(
        "The code was not accepted. Check that the clock on your phone is right and try again."
    ) in (response.content.decode())
    assert client.get("/notices/").status_code == 302  # still not verified

    time.sleep(1.1)  # django-otp's throttle: one wrong code costs one second
    session_before = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post("/accounts/mfa/setup/", {"code": code_for(device), "next": "/notices/"})
    assert response.status_code == 302
    assert response["Location"] == "/notices/"
    device.refresh_from_db()
    assert device.confirmed
    # The session key changes when the session gains the second factor (ASVS V7.2.4).
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != session_before
    body = client.get("/notices/").content.decode()
    for title in notices["green"]:
        assert escape(title) in body


@pytest.mark.django_db
def test_wrong_codes_are_throttled_even_the_right_code_is_refused(demo):
    client = sign_in(Client(), "demo-rana", verify=False)
    user = get_user_model().objects.get(username="demo-rana")
    right = current_code(user)
    for _ in range(4):
        response = client.post("/accounts/mfa/verify/", {"code": other_code(right)})
        assert response.status_code == 200
    device = TOTPDevice.objects.get(user=user)
    assert device.throttling_failure_count >= 1
    response = client.post("/accounts/mfa/verify/", {"code": current_code(user)})
    assert response.status_code == 200
    assert translated("Each wrong code makes the wait longer.") in response.content.decode()
    assert client.get("/notices/").status_code == 302  # still not verified


@pytest.mark.django_db
def test_setup_page_is_throttled_too(demo):
    user = get_user_model().objects.create_user(
        "setup-throttle", "t@example.invalid", PASSWORD, language="sv"
    )
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(municipality_number="2421"), role=Role.READER
    )
    client = Client()
    client.post("/accounts/login/", {"username": "setup-throttle", "password": PASSWORD})
    client.get("/accounts/mfa/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    for _ in range(3):
        client.post("/accounts/mfa/setup/", {"code": other_code(code_for(device))})
    response = client.post("/accounts/mfa/setup/", {"code": code_for(device)})
    assert response.status_code == 200
    assert translated("Each wrong code makes the wait longer.", "sv") in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
