"""Login throttling with django-axes (ASVS V6.3.1)."""

import datetime

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import ngettext

from conftest import sign_in

RIGHT = "demo-samvirke-2026"


def locked_out_text(minutes: int) -> str:
    with translation.override("nb"):
        return escape(
            ngettext(
                "To protect the account, sign-in is paused for a while. "
                "Wait %(minutes)s minute and try again, or reset your password.",
                "To protect the account, sign-in is paused for a while. "
                "Wait %(minutes)s minutes and try again, or reset your password.",
                minutes,
            )
            % {"minutes": minutes}
        )


def test_settings_are_sound():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert "axes" in settings.INSTALLED_APPS
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == 0.25  # hours: the lockout lifts by itself
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS is True
    assert settings.AXES_LOCKOUT_TEMPLATE == "accounts/locked_out.html"
    assert getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429) == 429  # axes 8 default
    problems = [m for m in run_checks() if m.id.startswith(("axes.", "samvirke."))]
    assert problems == []


@pytest.mark.django_db
def test_lockout_after_the_failure_limit_also_for_the_right_password(demo):
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(1, limit):
        response = client.post("/accounts/login/", {"username": "demo-rana", "password": f"wrong-{attempt}"})
        assert response.status_code == 200, attempt  # the form again, with an error
    response = client.post("/accounts/login/", {"username": "demo-rana", "password": "wrong-last"})
    assert response.status_code == 429
    body = response.content.decode()
    minutes = int(datetime.timedelta(hours=settings.AXES_COOLOFF_TIME).total_seconds() // 60)
    assert locked_out_text(minutes) in body

    response = client.post("/accounts/login/", {"username": "demo-rana", "password": RIGHT})
    assert response.status_code == 429
    assert locked_out_text(minutes) in response.content.decode()
    assert "_auth_user_id" not in client.session
    # A fresh browser from the same address is locked out too: the lock is on the account and address.
    assert Client().post("/accounts/login/", {"username": "demo-rana", "password": RIGHT}).status_code == 429

    # Another account from the same address is not affected.
    sign_in(Client(), "demo-hemnes")


@pytest.mark.django_db
def test_success_resets_the_count(demo):
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": "demo-rana", "password": f"wrong-{attempt}"})
    sign_in(Client(), "demo-rana")
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "demo-rana", "password": f"again-{attempt}"})
        assert response.status_code == 200
