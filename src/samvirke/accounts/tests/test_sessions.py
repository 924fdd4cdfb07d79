"""Session hardening (ASVS V7) and production settings that refuse to start unsafely (V13)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client

from conftest import sign_in

PROJECT = Path(settings.PROJECT_DIR)
SETTINGS_ENV = (
    "SECRET_KEY",
    "DEBUG",
    "SAMVIRKE_DEMO",
    "SAMVIRKE_ENV",
    "SAMVIRKE_TESTING",
    "ALLOWED_HOSTS",
    "OIDC_PROVIDERS",
    "DJANGO_SETTINGS_MODULE",
)


def manage(*args, **env_vars):
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    env.update(env_vars)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


GOOD = {
    "SAMVIRKE_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DEBUG": "0",
    "SAMVIRKE_DEMO": "0",
    "ALLOWED_HOSTS": "samvirke.example.no",
}


def test_production_refuses_default_secret_debug_and_demo():
    result = manage("check", SAMVIRKE_ENV="production", DEBUG="1", SAMVIRKE_DEMO="1")
    assert result.returncode != 0
    for check_id in ("samvirke.E001", "samvirke.E002", "samvirke.E003"):
        assert check_id in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("change", "check_id"),
    [
        ({"SECRET_KEY": "short"}, "samvirke.E001"),
        ({"DEBUG": "1"}, "samvirke.E002"),
        ({"SAMVIRKE_DEMO": "1"}, "samvirke.E003"),
    ],
)
def test_each_unsafe_setting_alone_is_refused(change, check_id):
    result = manage("check", **{**GOOD, **change})
    assert result.returncode != 0
    assert check_id in result.stderr
    assert result.stderr.count("samvirke.E") == 1, result.stderr


def test_production_with_good_settings_passes_the_deploy_checks():
    result = manage("check", "--deploy", **GOOD)
    assert result.returncode == 0, result.stderr
    assert "samvirke.E" not in result.stdout + result.stderr
    shown = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_NAME, "
        "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0, s.DEBUG)",
        **GOOD,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1].split() == [
        "True",
        "__Host-samvirke_session",
        "True",
        "__Host-samvirke_csrf",
        "True",
        "True",
        "True",
        "False",
    ]


def test_development_is_not_subject_to_the_production_checks():
    assert manage("check", SAMVIRKE_ENV="development").returncode == 0


@pytest.mark.django_db
def test_logout_invalidates_the_session_on_the_server(demo):
    client = sign_in(Client(), "demo-rana")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/accounts/logout/").status_code == 405  # only POST (with CSRF) signs out
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=cookie).exists()

    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = stolen.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert stolen.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_new_session_key_at_sign_in_and_cookie_flags(demo):
    client = Client()
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    response = client.post("/accounts/login/", {"username": "demo-rana", "password": "demo-samvirke-2026"})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value != before  # no session fixation (V7.2.4)
    assert not Session.objects.filter(session_key=before).exists()
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # expires when the browser closes; the server limit is SESSION_COOKIE_AGE
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert len(cookie.value) >= 32  # Django's keys: 32 characters from a 36-letter alphabet, > 128 bits


@pytest.mark.django_db
def test_disabling_an_account_ends_its_sessions(demo):
    client = sign_in(Client(), "demo-rana")
    assert client.get("/accounts/profile/").status_code == 200
    get_user_model().objects.filter(username="demo-rana").update(is_active=False)
    assert client.get("/accounts/profile/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401
