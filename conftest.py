"""Shared test fixtures. Tests run on real SQLite or PostgreSQL (DATABASE_URL), never mocks."""

import email
import email.policy
import socket

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samvirke.core.access import actor_for_user
from samvirke.demo.loader import load_demo


def pytest_collection_modifyitems(config, items):
    """Within each module, tests without the demo run first: the demo stays loaded until the module ends."""
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        first_seen.setdefault(item.nodeid.split("::")[0], index)
    order = {id(item): index for index, item in enumerate(items)}
    items.sort(
        key=lambda item: (
            first_seen[item.nodeid.split("::")[0]],
            "_demo_per_module" in getattr(item, "fixturenames", ()),
            order[id(item)],
        )
    )


@pytest.fixture(scope="module")
def _demo_per_module(django_db_setup, django_db_blocker):
    """Loads the demo region once per test module inside an outer transaction that is rolled back at the end.

    Each test then runs in its own savepoint inside it (pytest-django's `db`), so tests still see a fresh demo
    and never each other's changes. Loading it for every test cost most of CI's time.
    """
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        loaded = load_demo()
    try:
        yield loaded
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_per_module, db):
    """The demo region: nine municipalities, partners, groups, users for every role, notices at every level."""
    _demo_per_module["region"].refresh_from_db()
    return _demo_per_module


def current_code(user) -> str:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def sign_in(
    client: Client, username: str, password: str = "demo-samvirke-2026", *, verify: bool = True
) -> Client:
    """Sign in through the real login form and, if asked, the real one-time-code form."""
    from django.contrib.auth import get_user_model

    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, f"login failed for {username}: {response.status_code}"
    if verify:
        user = get_user_model().objects.get(username=username)
        response = client.post("/accounts/mfa/verify/", {"code": current_code(user)})
        assert response.status_code == 302, f"one-time code refused for {username}"
    return client


@pytest.fixture
def signed_in(demo):
    """Factory: a test client signed in (password + one-time code) as a demo user."""

    def make(username: str, **kwargs) -> Client:
        return sign_in(Client(), username, **kwargs)

    return make


@pytest.fixture
def actor_of(demo):
    from django.contrib.auth import get_user_model

    def make(username: str):
        return actor_for_user(get_user_model().objects.get(username=username), verified=True)

    return make


class Inbox:
    """What a real SMTP server (aiosmtpd) on loopback received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "message": email.message_from_bytes(envelope.original_content, policy=email.policy.default),
            }
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 with Django's SMTP backend pointed at it; yields its Inbox."""
    from aiosmtpd.controller import Controller
    from django.test import override_settings

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=10,
        ):
            yield inbox
    finally:
        controller.stop()
