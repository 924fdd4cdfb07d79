"""OpenID Connect sign-in against a real, local OpenID provider (an HTTP server in a thread).

The provider implements discovery, JWKS, an authorization endpoint and a token endpoint that checks
client authentication, the redirect URI and PKCE, and returns an RS256-signed ID token. Each test can
make it misbehave (wrong aud, iss, nonce, exp, signing key) to show that Samvirke refuses the sign-in.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from joserfc import jwt
from joserfc.jwk import RSAKey

from samvirke.accounts import oidc
from samvirke.core.access import AccessLevel, Role
from samvirke.notices.models import Notice
from samvirke.organisations.models import Membership, Organisation

CLIENT_ID = "samvirke-test-client"
CLIENT_SECRET = "local-op-secret"


class LocalOP:
    """A small but honest OpenID provider for one client."""

    def __init__(self):
        self.key = RSAKey.generate_key(
            2048, parameters={"kid": "op-1", "use": "sig", "alg": "RS256"}, private=True
        )
        self.signing_key = self.key  # a test may sign with another key
        self.subject = "entra-oid-0001"
        self.extra_claims = {
            "email": "ingrid.moe@rana.kommune.no",
            "given_name": "Ingrid",
            "family_name": "Moe",
        }
        self.overrides: dict = {}  # claims to replace in the next ID tokens
        self.metadata_issuer = None
        self.codes: dict[str, dict] = {}
        self.token_requests = 0
        op = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, data):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path == "/.well-known/openid-configuration":
                    return self._json(200, op.metadata())
                if url.path == "/jwks":
                    return self._json(200, {"keys": [op.key.as_dict(private=False)]})
                if url.path == "/authorize":
                    return op.authorize(self, {k: v[0] for k, v in parse_qs(url.query).items()})
                return self._json(404, {"error": "not_found"})

            def do_POST(self):
                if urlsplit(self.path).path != "/token":
                    return self._json(404, {"error": "not_found"})
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                status, data = op.token(self.headers.get("Authorization", ""), form)
                return self._json(status, data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def metadata(self):
        return {
            "issuer": self.metadata_issuer or self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def authorize(self, handler, params):
        if params.get("client_id") != CLIENT_ID or params.get("response_type") != "code":
            return handler._json(400, {"error": "invalid_request"})
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return handler._json(400, {"error": "invalid_request", "error_description": "PKCE required"})
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "redirect_uri": params["redirect_uri"],
            "challenge": params["code_challenge"],
            "nonce": params.get("nonce"),
            "subject": self.subject,
            "acr_values": params.get("acr_values"),
        }
        handler.send_response(302)
        handler.send_header(
            "Location", f"{params['redirect_uri']}?{urlencode({'code': code, 'state': params['state']})}"
        )
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def token(self, authorization, form):
        self.token_requests += 1
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != expected:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # codes work once
        if grant is None or form.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": grant["subject"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **self.extra_claims,
        }
        if grant["acr_values"]:
            claims["acr"] = grant["acr_values"].split()[0]
        claims.update(self.overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        id_token = jwt.encode({"alg": "RS256", "kid": "op-1"}, claims, self.signing_key)
        return 200, {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }


@pytest.fixture
def op(monkeypatch):
    # authlib's client uses requests, which honours proxy variables; the local provider is reached directly.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    provider = LocalOP()
    provider.thread.start()
    yield provider
    provider.server.shutdown()
    provider.server.server_close()


def provider_config(op, **extra):
    return [
        {
            "key": "rana-entra",
            "label": "Rana kommune (Entra ID)",
            "organisation": "1833",
            "issuer": op.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": "openid profile email",
            **extra,
        }
    ]


@pytest.fixture
def configured(op):
    with override_settings(OIDC_PROVIDERS=provider_config(op)):
        yield op


def round_trip(client, op, key="rana-entra", query=""):
    """Start at Samvirke, let the local provider authorize, and come back to the callback."""
    response = client.get(f"/accounts/oidc/{key}/login/{query}")
    assert response.status_code == 302, response.content
    authorize_url = response["Location"]
    assert authorize_url.startswith(f"{op.issuer}/authorize?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == f"http://testserver/accounts/oidc/{key}/callback/"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert len(params["state"]) >= 20 and len(params["nonce"]) >= 32
    assert set(params["scope"].split()) == {"openid", "profile", "email"}
    with requests.Session() as browser:
        browser.trust_env = False
        at_op = browser.get(authorize_url, allow_redirects=False, timeout=10)
    assert at_op.status_code == 302
    callback = urlsplit(at_op.headers["Location"])
    assert callback.netloc == "testserver"
    callback_query = parse_qs(callback.query)
    assert callback_query["state"] == [params["state"]]
    return client.get(f"{callback.path}?{callback.query}"), params


def error_text(label="Rana kommune (Entra ID)", language="nb"):
    with translation.override(language):
        return escape(
            gettext(
                "The sign-in from %(provider)s could not be verified, so you are not signed in. Try again; "
                "if it keeps failing, contact the person responsible for Samvirke in your organisation."
            )
            % {"provider": label}
        )


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


# --- configuration ----------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(OIDC_PROVIDERS=[])
def test_off_when_no_providers():
    assert Client().get("/accounts/oidc/rana-entra/login/").status_code == 404
    assert Client().get("/accounts/oidc/rana-entra/callback/?code=x&state=y").status_code == 404
    page = Client().get("/accounts/login/").content.decode()
    assert "/accounts/oidc/" not in page


@pytest.mark.django_db
def test_login_page_shows_one_button_per_provider(configured):
    page = Client().get("/accounts/login/").content.decode()
    assert 'href="/accounts/oidc/rana-entra/login/"' in page
    assert escape("Rana kommune (Entra ID)") in page
    assert Client().get("/accounts/oidc/unknown/login/").status_code == 404


def test_configuration_is_validated(op):
    from django.core.exceptions import ImproperlyConfigured

    good = provider_config(op)[0]
    parsed = oidc.parse_providers([good])["rana-entra"]
    assert parsed.server_metadata_url == f"{op.issuer}/.well-known/openid-configuration"
    assert parsed.mfa_at_idp is True
    assert "client_secret" not in repr(parsed) and CLIENT_SECRET not in repr(parsed)
    for broken in (
        [good, {**good, "key": "other"}],  # same issuer twice
        [
            good,
            {**good, "key": "other", "issuer": "http://127.0.0.1:1"},
        ],  # two providers for one organisation
        [{**good, "client_id": ""}],
        [{**good, "scope": "profile email"}],
    ):
        with pytest.raises(ImproperlyConfigured):
            oidc.parse_providers(broken)


# --- the happy path ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_first_sign_in_creates_user_keyed_on_issuer_and_subject(demo, configured):
    op = configured
    # A password account with the same e-mail address must not be taken over (no e-mail matching).
    existing = get_user_model().objects.create_user("ingrid-local", op.extra_claims["email"], "x" * 20)
    client = Client()
    response, _params = round_trip(client, op)
    assert response.status_code == 302
    assert response["Location"] == "/overview/"
    user = get_user_model().objects.get(oidc_issuer=op.issuer, oidc_subject=op.subject)
    assert user.pk != existing.pk
    assert str(user.pk) == signed_in_user_id(client)
    assert not user.has_usable_password()
    assert user.first_name == "Ingrid" and user.email == op.extra_claims["email"]
    assert not user.memberships.exists()  # access is granted by a person, not by the token
    assert client.session[oidc.SESSION_VERIFIED_KEY] is True
    page = client.get("/overview/").content.decode()
    with translation.override(user.language):
        expected = gettext(
            "You are signed in with %(provider)s, but you do not have access to your organisation's "
            "information yet. Ask the preparedness advisor in your organisation to give you access."
        ) % {"provider": "Rana kommune (Entra ID)"}
    assert escape(expected) in page

    # A second sign-in, in another browser, finds the same user.
    again, _ = round_trip(Client(), op)
    assert again.status_code == 302
    assert get_user_model().objects.filter(oidc_issuer=op.issuer).count() == 1

    # Another person at the same provider is another user.
    op.subject = "entra-oid-0002"
    round_trip(Client(), op)
    assert get_user_model().objects.filter(oidc_issuer=op.issuer).count() == 2


@pytest.mark.django_db
def test_member_signed_in_at_an_mfa_provider_is_verified(demo, configured):
    op = configured
    round_trip(Client(), op)
    user = get_user_model().objects.get(oidc_issuer=op.issuer, oidc_subject=op.subject)
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(municipality_number="1833"), role=Role.READER
    )
    client = Client()
    response, _ = round_trip(client, op, query="?next=/notices/")
    assert response["Location"] == "/notices/"
    page = client.get("/notices/")
    assert page.status_code == 200  # no TOTP step
    for notice in Notice.objects.filter(access_level=AccessLevel.GREEN):
        assert escape(notice.title) in page.content.decode()


@pytest.mark.django_db
def test_provider_without_mfa_still_requires_totp_for_members(demo, op):
    with override_settings(OIDC_PROVIDERS=provider_config(op, mfa_at_idp=False)):
        round_trip(Client(), op)
        user = get_user_model().objects.get(oidc_issuer=op.issuer)
        Membership.objects.create(
            user=user, organisation=Organisation.objects.get(municipality_number="1833"), role=Role.READER
        )
        client = Client()
        response, _ = round_trip(client, op)
        assert signed_in_user_id(client) == str(user.pk)
        assert client.session[oidc.SESSION_VERIFIED_KEY] is False
        response = client.get("/notices/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/mfa/setup/?next=/notices/"


@pytest.mark.django_db
def test_required_acr_is_sent_and_checked(demo, op):
    with override_settings(OIDC_PROVIDERS=provider_config(op, acr_values=["substantial"])):
        client = Client()
        response, params = round_trip(client, op)
        assert params["acr_values"] == "substantial"
        assert response.status_code == 302 and signed_in_user_id(client)

        op.overrides = {"acr": "low"}
        client = Client()
        response, _ = round_trip(client, op)
        assert response.status_code == 400
        assert signed_in_user_id(client) is None


# --- refusals ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "someone-else"},
        {"aud": ["someone-else", "another"]},
        {"aud": [CLIENT_ID, "another"], "azp": "another"},
        {"iss": "http://127.0.0.1:9/evil"},
        {"nonce": "replayed-nonce-from-another-login"},
        {"nonce": None},
        {"exp": int(time.time()) - 3600},
        {"sub": None},
    ],
    ids=["aud", "aud-list", "azp", "iss", "nonce", "no-nonce", "expired", "no-sub"],
)
def test_bad_id_token_is_refused(demo, configured, overrides):
    op = configured
    op.overrides = overrides
    client = Client()
    response, _ = round_trip(client, op)
    assert response.status_code == 400
    assert error_text() in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not get_user_model().objects.filter(oidc_issuer=op.issuer).exists()
    assert op.token_requests == 1  # the code really was exchanged; the ID token was what failed


@pytest.mark.django_db
def test_token_signed_with_an_unknown_key_is_refused(demo, configured):
    op = configured
    op.signing_key = RSAKey.generate_key(2048, parameters={"kid": "op-1"}, private=True)
    client = Client()
    response, _ = round_trip(client, op)
    assert response.status_code == 400
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
def test_state_must_match_and_works_once(demo, configured):
    client = Client()
    response = client.get("/accounts/oidc/rana-entra/login/")
    authorize_url = response["Location"]
    with requests.Session() as browser:
        browser.trust_env = False
        callback = urlsplit(browser.get(authorize_url, allow_redirects=False, timeout=10).headers["Location"])
    query = parse_qs(callback.query)

    forged = client.get(f"{callback.path}?{urlencode({'code': query['code'][0], 'state': 'forged'})}")
    assert forged.status_code == 400
    assert error_text() in forged.content.decode()
    # A callback in another browser (login CSRF) is refused: the state lives in the first browser's session.
    other = Client().get(f"{callback.path}?{callback.query}")
    assert other.status_code == 400

    ok = client.get(f"{callback.path}?{callback.query}")
    assert ok.status_code == 302
    assert signed_in_user_id(client)
    # The same callback again (state used up; the provider's code too) signs nobody in.
    again = client.get(f"{callback.path}?{callback.query}")
    assert again.status_code == 400


@pytest.mark.django_db
def test_error_from_provider_is_refused(demo, configured):
    client = Client()
    client.get("/accounts/oidc/rana-entra/login/")
    response = client.get("/accounts/oidc/rana-entra/callback/?error=access_denied&state=x")
    assert response.status_code == 400
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
def test_discovery_must_name_the_configured_issuer(demo, configured):
    op = configured
    op.metadata_issuer = "https://login.example.invalid/other-tenant/v2.0"
    response = Client().get("/accounts/oidc/rana-entra/login/")
    assert response.status_code == 502
    with translation.override("nb"):
        expected = gettext(
            "We could not reach %(provider)s. Try again in a few minutes, or sign in with your password."
        ) % {"provider": "Rana kommune (Entra ID)"}
    assert escape(expected) in response.content.decode()


@pytest.mark.django_db
def test_password_login_does_not_inherit_idp_verification(demo, configured):
    """A browser that signed in with OIDC and then with a password is verified only by TOTP."""
    op = configured
    client = Client()
    round_trip(client, op)
    client.post("/accounts/logout/")
    session = client.session
    assert oidc.SESSION_VERIFIED_KEY not in session
    response = client.post("/accounts/login/", {"username": "demo-rana", "password": "demo-samvirke-2026"})
    assert response.status_code == 302
    assert not client.session.get(oidc.SESSION_VERIFIED_KEY)
    assert client.get("/notices/")["Location"].startswith("/accounts/mfa/verify/")
    assert settings.OIDC_PROVIDERS  # configured for this test


# --- the explicit claim checks, independent of authlib ---------------------------------------------


def _claims(op_issuer, **changes):
    now = int(time.time())
    claims = {
        "iss": op_issuer,
        "sub": "s-1",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": "n" * 32,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def test_authlib_alone_does_not_check_aud_when_azp_matches():
    """Why oidc.finish passes `aud` as an essential claim and check_claims checks it again.

    With the options authlib's parse_id_token uses by default (only `iss`), an ID token for another
    audience is accepted as long as `azp` names our client.
    """
    from authlib.oidc.core import CodeIDToken

    issuer = "https://idp.example.invalid"
    claims = _claims(issuer, aud="someone-else", azp=CLIENT_ID)
    CodeIDToken(
        claims, {"alg": "RS256"}, {"iss": {"values": [issuer]}}, {"nonce": "n" * 32, "client_id": CLIENT_ID}
    ).validate()  # accepted: the gap
    provider = oidc.parse_providers(
        [
            {
                "key": "k",
                "label": "K",
                "organisation": "1",
                "issuer": issuer,
                "client_id": CLIENT_ID,
                "client_secret": "s",
            }
        ]
    )["k"]
    with pytest.raises(oidc.OIDCError):
        oidc.check_claims(claims, provider, "n" * 32)


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://other.invalid"},
        {"aud": "x"},
        {"aud": [CLIENT_ID, "x"]},
        {"azp": "x"},
        {"nonce": "m" * 32},
        {"nonce": None},
        {"exp": int(time.time()) - 3600},
        {"exp": None},
        {"sub": None},
        {"sub": ""},
    ],
)
def test_check_claims_refuses(changes):
    issuer = "https://idp.example.invalid"
    provider = oidc.parse_providers(
        [
            {
                "key": "k",
                "label": "K",
                "organisation": "1",
                "issuer": issuer,
                "client_id": CLIENT_ID,
                "client_secret": "s",
            }
        ]
    )["k"]
    oidc.check_claims(_claims(issuer), provider, "n" * 32)  # the unchanged claims pass
    with pytest.raises(oidc.OIDCError):
        oidc.check_claims(_claims(issuer, **changes), provider, "n" * 32)
