"""Personal API tokens: issued on the profile page, shown once, stored as a hash, revocable."""

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from samvirke.accounts.models import TOKEN_PREFIX, ApiToken, hash_token
from samvirke.api.tests.conftest import ApiClient, assert_envelope

RAW_TOKEN = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_\-]{20,}")


def issue_through_profile(client, name="Integrasjon") -> tuple[ApiToken, str]:
    response = client.post("/accounts/tokens/new/", {"name": name})
    assert response.status_code == 200
    raws = set(RAW_TOKEN.findall(response.content.decode()))
    assert len(raws) == 1, "the new token is shown exactly once on the page"
    raw = raws.pop()
    return ApiToken.objects.get(token_hash=hash_token(raw)), raw


def test_token_from_profile_is_shown_once_and_only_its_hash_is_stored(signed_in):
    client = signed_in("demo-rana")
    token, raw = issue_through_profile(client)
    assert token.user.username == "demo-rana"
    assert token.name == "Integrasjon"
    assert token.token_hash == hash_token(raw) and len(token.token_hash) == 64
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().first().values()]
    assert raw not in stored, "the raw token must not be stored"
    assert token.prefix == raw[:10]
    # Never shown again: not on the profile page.
    assert raw not in client.get("/accounts/profile/").content.decode()

    me = ApiClient(raw).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "demo-rana"
    assert me.json()["organisation_ids"], "a token carries the user's memberships"


def test_creating_a_token_needs_a_two_factor_verified_session(signed_in):
    client = signed_in("demo-rana", verify=False)
    response = client.post("/accounts/tokens/new/", {"name": "Uten 2FA"})
    assert response.status_code == 302
    assert "/accounts/mfa/" in response["Location"]
    assert not ApiToken.objects.filter(name="Uten 2FA").exists()


def test_revoked_token_gives_401_with_the_envelope(signed_in):
    client = signed_in("demo-rana")
    token, raw = issue_through_profile(client)
    assert ApiClient(raw).get("/api/v1/me").status_code == 200
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    error = assert_envelope(ApiClient(raw).get("/api/v1/me"), 401, "unauthorized")
    assert error["details"] == {}


def test_unknown_malformed_and_expired_tokens_give_401(demo, token_for):
    for header in (
        f"Bearer {TOKEN_PREFIX}this-token-was-never-issued-000000000000",
        "Bearer not-even-our-prefix",
        f"Bearer {TOKEN_PREFIX}" + "x" * 5000,
        "Basic ZGVtbzpkZW1v",
        "Bearer",
    ):
        response = ApiClient(HTTP_AUTHORIZATION=header).get("/api/v1/notices")
        assert_envelope(response, 401, "unauthorized")
        assert response["WWW-Authenticate"] == "Bearer"

    raw = token_for("demo-rana")
    ApiToken.objects.filter(token_hash=hash_token(raw)).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert_envelope(ApiClient(raw).get("/api/v1/me"), 401, "unauthorized")


def test_unknown_token_on_an_unsafe_method_is_401_not_a_csrf_error(demo):
    response = ApiClient(f"{TOKEN_PREFIX}unknown").post("/api/v1/notices", {"owner_id": 1, "title": "x"})
    assert_envelope(response, 401, "unauthorized")


def test_token_of_a_deactivated_user_gives_401(token_for):
    raw = token_for("demo-rana")
    get_user_model().objects.filter(username="demo-rana").update(is_active=False)
    assert_envelope(ApiClient(raw).get("/api/v1/me"), 401, "unauthorized")


def test_last_used_at_is_updated_at_most_once_a_minute(token_for):
    raw = token_for("demo-hemnes")
    token = ApiToken.objects.get(token_hash=hash_token(raw))
    assert token.last_used_at is None
    client = ApiClient(raw)
    before = timezone.now()
    assert client.get("/api/v1/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at >= before
    first = token.last_used_at

    assert client.get("/api/v1/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first, "no write on every request"

    long_ago = timezone.now() - timedelta(hours=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    assert client.get("/api/v1/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > long_ago + timedelta(hours=1)
