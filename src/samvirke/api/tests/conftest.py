"""Fixtures for the API tests: real database (demo region), Django test client, real tokens."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from samvirke.accounts.models import ApiToken
from samvirke.notices.models import Notice


class ApiClient:
    """A Django test client that sends JSON and a bearer token."""

    def __init__(self, raw_token: str | None = None, **headers):
        self.client = Client()
        self.headers = dict(headers)
        if raw_token:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {raw_token}"

    def _send(self, method, path, body=None, **extra):
        kwargs = {**self.headers, **extra}
        if body is not None:
            kwargs["data"] = json.dumps(body) if not isinstance(body, str | bytes) else body
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path, **extra):
        return self.client.get(path, **{**self.headers, **extra})

    def post(self, path, body=None, **extra):
        return self._send("post", path, body if body is not None else {}, **extra)

    def put(self, path, body=None, **extra):
        return self._send("put", path, body if body is not None else {}, **extra)


@pytest.fixture
def token_for(demo):
    """Factory: a raw API token for a demo user (issued the way the profile page issues it)."""

    def make(username: str) -> str:
        _, raw = ApiToken.issue(user=get_user_model().objects.get(username=username), name="test")
        return raw

    return make


@pytest.fixture
def api_as(token_for):
    """Factory: an ApiClient authenticated with a fresh token of `username`."""

    def make(username: str, **headers) -> ApiClient:
        return ApiClient(token_for(username), **headers)

    return make


@pytest.fixture
def rana_notice(demo):
    """An AMBER+STRICT notice owned by Rana: visible to Rana's members only."""
    return Notice.objects.get(title__startswith="Intern varslingsliste")


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body
    assert body["error"]["message"], body
    return body["error"]
