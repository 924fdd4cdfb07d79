"""A new person added by e-mail gets a set-password link through a real SMTP server (aiosmtpd), in the
organisation's language, and can then sign in, but only on to two-factor set-up."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation

from conftest import free_port
from samvirke.organisations.models import Membership, Organisation

NEW_PASSWORD = "a-long-new-passphrase-2026"
SUBJECT = "You have been given access to Samvirke"


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(text: str) -> str:
    match = re.search(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", text)
    assert match, text
    return match.group(1)


def choose_password(link: str) -> None:
    client = Client()
    response = client.get(link)
    assert response.status_code == 302  # Django moves the token into the session
    form_url = response["Location"]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/complete/"
    assert "set-password" not in client.get(link).get("Location", "")  # the link works once


def test_new_person_gets_a_set_password_mail_through_real_smtp(signed_in, smtp_server):
    storuman = Organisation.objects.get(municipality_number="2421")
    client = signed_in("demo-coordinator")
    response = client.post(
        f"/organisations/{storuman.pk}/members/new/",
        {
            "email": "ny.samordnare@storuman.se",
            "role": "preparedness_advisor",
            "first_name": "Ny",
            "last_name": "Samordnare",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="ny.samordnare@storuman.se")
    assert not user.has_usable_password() and user.language == "sv"

    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["to"] == [user.email]
    message = received["message"]
    with translation.override("sv"):  # the organisation's language, not the coordinator's (bokmål)
        assert message["Subject"] == translation.gettext(SUBJECT)
    text = body_of(message)
    assert user.username in text and storuman.name in text

    choose_password(link_in(text))
    user.refresh_from_db()
    assert user.has_usable_password()
    # Signing in works, and a member must set up two-factor before seeing anything.
    newcomer = Client()
    response = newcomer.post("/accounts/login/", {"username": user.username, "password": NEW_PASSWORD})
    assert response.status_code == 302
    response = newcomer.get("/organisations/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/mfa/setup/")

    # Now that the person has a password, "send again" is refused and nothing is sent.
    membership = Membership.objects.get(user=user)
    client.post(f"/organisations/{storuman.pk}/members/{membership.pk}/invite/")
    assert len(smtp_server.messages) == 1


def test_send_again_while_the_person_has_no_password(signed_in, smtp_server):
    rana = Organisation.objects.get(municipality_number="1833")
    client = signed_in("demo-coordinator")
    client.post(
        f"/organisations/{rana.pk}/members/new/", {"email": "glemsk@rana.kommune.no", "role": "reader"}
    )
    membership = Membership.objects.get(user__email="glemsk@rana.kommune.no")
    page = client.get(f"/organisations/{rana.pk}/").content.decode()
    assert f"/members/{membership.pk}/invite/" in page
    assert client.post(f"/organisations/{rana.pk}/members/{membership.pk}/invite/").status_code == 302
    assert len(smtp_server.messages) == 2
    assert link_in(body_of(smtp_server.messages[1]["message"]))


def test_unreachable_smtp_server_keeps_the_membership_and_says_so(signed_in):
    rana = Organisation.objects.get(municipality_number="1833")
    client = signed_in("demo-coordinator")
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=free_port(),
        EMAIL_TIMEOUT=2,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
    ):
        response = client.post(
            f"/organisations/{rana.pk}/members/new/",
            {"email": "uten.post@rana.kommune.no", "role": "reader"},
            follow=True,
        )
    assert response.status_code == 200
    assert Membership.objects.filter(user__email="uten.post@rana.kommune.no", active=True).exists()
    assert 'data-color="warning"' in response.content.decode()


def test_bootstrap_commands_create_a_region_organisation_and_first_administrator(db, capsys, smtp_server):
    call_command("create_region", slug="indre-helgeland", name="Indre Helgeland")
    call_command(
        "add_organisation",
        region="indre-helgeland",
        kind="municipality",
        name="Rana kommune",
        number="1833",
        country="NO",
        population="26000",
        lat="66.31",
        lon="14.14",
    )
    rana = Organisation.objects.get(municipality_number="1833")
    assert (rana.region.slug, rana.population, str(rana.latitude)) == ("indre-helgeland", 26000, "66.31000")
    capsys.readouterr()
    call_command(
        "add_member",
        email="forste.admin@rana.kommune.no",
        organisation="1833",
        role="administrator",
        first_name="Første",
        last_name="Admin",
        base_url="http://testserver",
    )
    out = capsys.readouterr().out
    user = get_user_model().objects.get(email="forste.admin@rana.kommune.no")
    assert user.get_full_name() == "Første Admin"
    membership = Membership.objects.get(user=user, organisation=rana)
    assert membership.role == "administrator" and membership.history.get().history_user is None
    choose_password(link_in(out))

    # By organisation id, with --send-email; an existing account is linked, not duplicated.
    partner = Organisation.objects.create(region=rana.region, kind="partner", name="Partner AS")
    call_command(
        "add_member",
        email="ny@partner.no",
        organisation=str(partner.pk),
        role="partner_contact",
        send_email=True,
        base_url="http://testserver",
    )
    assert len(smtp_server.messages) == 1 and smtp_server.messages[0]["to"] == ["ny@partner.no"]
    capsys.readouterr()
    call_command(
        "add_member", email="FORSTE.ADMIN@rana.kommune.no", organisation=str(partner.pk), role="reader"
    )
    assert get_user_model().objects.filter(email__iexact="forste.admin@rana.kommune.no").count() == 1
    assert "choose a password" not in capsys.readouterr().out  # has a password now: no link


def test_commands_refuse_bad_input(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no region"):
        call_command("add_organisation", region="nowhere", kind="partner", name="X")
    call_command("create_region", slug="r", name="R")
    with pytest.raises(CommandError):
        call_command("add_organisation", region="r", kind="municipality", name="X", number="12")
    with pytest.raises(CommandError, match="no organisation"):
        call_command("add_member", email="a@b.no", organisation="4242", role="administrator")
