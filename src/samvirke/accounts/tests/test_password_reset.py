"""Password reset by e-mail through a real SMTP server (aiosmtpd); it never bypasses TOTP (ASVS V6.4.3)."""

import re
import struct

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils import translation

from conftest import current_code, sign_in

NEW_PASSWORD = "brand-new-passphrase-for-2026"
SUBJECT = "Reset your Samvirke password"
FIRST_LINE = "Someone asked to reset the password for your Samvirke account."


def write_mo(path, catalogue: dict[str, str]) -> None:
    """A minimal GNU .mo file (what msgfmt writes), so the test needs no gettext tools."""
    entries = {"": "Content-Type: text/plain; charset=UTF-8\n", **catalogue}
    keys = sorted(entries)
    ids = b"".join(k.encode() + b"\0" for k in keys)
    strs = b"".join(entries[k].encode() + b"\0" for k in keys)
    header_size = 7 * 4
    ids_start = header_size + 16 * len(keys)
    strs_start = ids_start + len(ids)
    table_ids, table_strs, offset_id, offset_str = [], [], 0, 0
    for key in keys:
        k, v = key.encode(), entries[key].encode()
        table_ids += [len(k), ids_start + offset_id]
        table_strs += [len(v), strs_start + offset_str]
        offset_id += len(k) + 1
        offset_str += len(v) + 1
    data = struct.pack("<7I", 0x950412DE, 0, len(keys), header_size, header_size + 8 * len(keys), 0, 0)
    data += struct.pack(f"<{len(table_ids)}I", *table_ids) + struct.pack(f"<{len(table_strs)}I", *table_strs)
    path.write_bytes(data + ids + strs)


@pytest.fixture
def swedish_markers(tmp_path):
    """Known Swedish strings for the e-mail, placed ahead of the project's own catalogues."""
    target = tmp_path / "sv" / "LC_MESSAGES"
    target.mkdir(parents=True)
    markers = {
        SUBJECT: "[sv] Återställ ditt lösenord i Samvirke",
        FIRST_LINE: "[sv] Någon bad om att återställa lösenordet.",
    }
    write_mo(target / "django.mo", markers)
    with override_settings(LOCALE_PATHS=[str(tmp_path), *settings.LOCALE_PATHS]):
        yield markers


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def reset_link(message) -> str:
    match = re.search(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", body_of(message))
    assert match, body_of(message)
    return match.group(1)


@pytest.mark.django_db
def test_reset_through_real_smtp_still_needs_the_one_time_code(demo, smtp_server):
    user = get_user_model().objects.get(username="demo-rana")
    # A session from before the reset (password step only: each TOTP code works once, and we need it below).
    old_session = sign_in(Client(), "demo-rana", verify=False)
    assert old_session.get("/accounts/mfa/verify/").status_code == 200

    client = Client()
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["to"] == [user.email]
    with translation.override(user.language):
        assert received["message"]["Subject"] == translation.gettext(SUBJECT)

    link = reset_link(received["message"])
    response = client.get(link)
    assert response.status_code == 302  # Django moves the token out of the URL into the session
    form_url = response["Location"]
    assert "set-password" in form_url
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/complete/"
    assert "_auth_user_id" not in client.session  # a reset never signs anyone in

    # The link works once.
    assert b"set-password" not in client.get(link).get("Location", "").encode()
    # The session from before the reset is over (the session hash includes the password).
    response = old_session.get("/accounts/mfa/verify/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

    # The old password no longer works; the new one does, but only up to the one-time code.
    assert (
        Client()
        .post("/accounts/login/", {"username": "demo-rana", "password": "demo-samvirke-2026"})
        .status_code
        == 200
    )
    client = sign_in(Client(), "demo-rana", NEW_PASSWORD, verify=False)
    response = client.get("/notices/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/verify/?next=/notices/"
    response = client.post("/accounts/mfa/verify/", {"code": current_code(user)})
    assert response.status_code == 302
    assert client.get("/notices/").status_code == 200


@pytest.mark.django_db
def test_reset_mail_is_in_the_users_language_not_the_browsers(demo, smtp_server, swedish_markers):
    user = get_user_model().objects.get(username="demo-storuman")
    assert user.language == "sv"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.post("/accounts/password/reset/", {"email": user.email}).status_code == 302
    message = smtp_server.messages[0]["message"]
    assert message["Subject"] == swedish_markers[SUBJECT]
    assert swedish_markers[FIRST_LINE] in body_of(message)

    # A Norwegian user asking from a Swedish browser gets the message in Norwegian (here: the source text).
    nb_user = get_user_model().objects.get(username="demo-hemnes")
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    client.post("/accounts/password/reset/", {"email": nb_user.email})
    message = smtp_server.messages[1]["message"]
    with translation.override("nb"):
        assert message["Subject"] == translation.gettext(SUBJECT)
    assert swedish_markers[SUBJECT] != message["Subject"]


@pytest.mark.django_db
def test_unknown_address_sends_nothing_and_says_the_same(demo, smtp_server):
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.invalid"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert smtp_server.messages == []
