"""Shared test fixtures. Tests run on real SQLite or PostgreSQL (DATABASE_URL), never mocks."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samvirke.core.access import actor_for_user
from samvirke.demo.loader import load_demo


@pytest.fixture
def demo(db):
    """The demo region: nine municipalities, partners, groups, users for every role, notices at every level."""
    return load_demo()


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
