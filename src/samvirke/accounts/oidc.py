"""OpenID Connect sign-in for staff, one identity provider (IdP) per organisation.

Configuration (environment variable ``OIDC_PROVIDERS``, a JSON list; empty means OIDC is off and
every OIDC URL answers 404)::

    [{"key": "rana-entra", "label": "Rana kommune (Entra ID)", "organisation": "1833",
      "issuer": "https://login.microsoftonline.com/<tenant>/v2.0",
      "client_id": "...", "client_secret": "...",
      "server_metadata_url": "... optional, default <issuer>/.well-known/openid-configuration",
      "scope": "openid profile email",
      "mfa_at_idp": true,
      "acr_values": ["..."]}]

Security decisions (ASVS 5.0 V6.8, V10.5):

* Authorization code flow with PKCE (S256), ``state`` and ``nonce``, all kept in the server-side
  session by authlib. The ID token's signature is checked against the provider's JWKS.
* The discovery document must name exactly the configured ``issuer`` (V10.5.3); otherwise the
  provider is refused, so one provider cannot pose as another.
* Claims are checked by authlib *and* again here, explicitly: ``iss`` equals the configured issuer,
  ``aud`` contains our ``client_id`` (authlib on its own only checks ``azp`` when ``aud`` differs, so
  we pass the audience as an essential claim) and ``azp``, when present, is our ``client_id``;
  ``nonce`` equals the one stored in the session (V10.5.1); ``exp`` lies in the future; ``sub`` is
  present.
* People are keyed on (issuer, sub) in ``User.oidc_issuer``/``User.oidc_subject`` (V6.8.1, V10.5.2),
  never on e-mail: an existing password account with the same e-mail address is *not* taken over.
* First sign-in creates the user **without any membership** and without a usable password. The
  person is told to ask their organisation's preparedness advisor for access; the advisor grants a
  membership as for any other user. We deliberately do not grant a role automatically: a token from
  the right tenant shows that someone works in the municipality, not what they may read.
* ``mfa_at_idp`` (default true) says that the provider enforces multi-factor authentication for this
  application (e.g. an Entra ID conditional-access policy). Only then does the session count as
  two-factor verified (``session["samvirke_oidc_verified"]``, read by ``ActorMiddleware``). With
  ``mfa_at_idp: false`` a member must still enter a TOTP code from Samvirke after signing in.
  If ``acr_values`` is set, it is sent to the provider and the ID token's ``acr`` must be one of
  them (V6.8.4), otherwise the sign-in is refused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

security_log = logging.getLogger("samvirke.security")

#: Session key read by ``samvirke.core.middleware._is_verified``.
SESSION_VERIFIED_KEY = "samvirke_oidc_verified"
SESSION_PROVIDER_KEY = "samvirke_oidc_provider"
SESSION_NEXT_KEY = "samvirke_oidc_next"

#: Discovery documents and keys are fetched again after this many seconds.
METADATA_TTL = 3600
HTTP_TIMEOUT = 10
CLOCK_LEEWAY = 60


class OIDCError(Exception):
    """A sign-in that must be refused. ``reason`` is for the log, never shown to the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Provider:
    key: str
    label: str
    organisation: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    server_metadata_url: str
    scope: str = "openid profile email"
    mfa_at_idp: bool = True
    acr_values: tuple[str, ...] = ()

    @property
    def cache_key(self) -> str:
        return json.dumps(
            [self.key, self.issuer, self.client_id, self.client_secret, self.server_metadata_url, self.scope]
        )


REQUIRED = ("key", "label", "organisation", "issuer", "client_id", "client_secret")


def parse_providers(raw) -> dict[str, Provider]:
    """Validate ``settings.OIDC_PROVIDERS``. Raises ImproperlyConfigured on any mistake."""
    if not raw:
        return {}
    if not isinstance(raw, list):
        raise ImproperlyConfigured("OIDC_PROVIDERS must be a JSON list.")
    providers: dict[str, Provider] = {}
    issuers, organisations = set(), set()
    for entry in raw:
        if not isinstance(entry, dict):
            raise ImproperlyConfigured("Each OIDC_PROVIDERS entry must be an object.")
        missing = [name for name in REQUIRED if not str(entry.get(name, "")).strip()]
        if missing:
            raise ImproperlyConfigured(f"OIDC provider {entry.get('key', '?')!r} lacks {', '.join(missing)}.")
        scope = str(entry.get("scope") or "openid profile email")
        if "openid" not in scope.split():
            raise ImproperlyConfigured(f"OIDC provider {entry['key']!r}: scope must include openid.")
        issuer = str(entry["issuer"])
        acr = entry.get("acr_values") or ()
        if isinstance(acr, str):
            acr = acr.split()
        provider = Provider(
            key=str(entry["key"]),
            label=str(entry["label"]),
            organisation=str(entry["organisation"]),
            issuer=issuer,
            client_id=str(entry["client_id"]),
            client_secret=str(entry["client_secret"]),
            server_metadata_url=str(
                entry.get("server_metadata_url") or issuer.rstrip("/") + "/.well-known/openid-configuration"
            ),
            scope=scope,
            mfa_at_idp=bool(entry.get("mfa_at_idp", True)),
            acr_values=tuple(str(a) for a in acr),
        )
        if provider.key in providers:
            raise ImproperlyConfigured(f"OIDC provider key {provider.key!r} is used twice.")
        # One identity provider per organisation, and an issuer belongs to one organisation only:
        # otherwise (issuer, sub) would not say which organisation vouched for the person (V6.8.1).
        if issuer in issuers:
            raise ImproperlyConfigured(f"OIDC issuer {issuer!r} is configured twice.")
        if provider.organisation in organisations:
            raise ImproperlyConfigured(
                f"Organisation {provider.organisation!r} has more than one OIDC provider."
            )
        if settings.PRODUCTION and not issuer.startswith("https://"):
            raise ImproperlyConfigured(f"OIDC issuer {issuer!r} must use https in production.")
        issuers.add(issuer)
        organisations.add(provider.organisation)
        providers[provider.key] = provider
    return providers


def providers() -> dict[str, Provider]:
    return parse_providers(settings.OIDC_PROVIDERS)


def get_provider(key: str) -> Provider | None:
    return providers().get(key)


def login_buttons() -> list[dict[str, str]]:
    """What the login page needs: one button per provider. A broken configuration (also reported by the
    system check samvirke.E101) hides the buttons rather than breaking password sign-in."""
    try:
        configured = providers()
    except ImproperlyConfigured:
        security_log.exception("OIDC_PROVIDERS is invalid; OIDC buttons hidden")
        return []
    return [{"key": p.key, "label": p.label} for p in configured.values()]


_clients: dict[str, tuple[float, DjangoOAuth2App]] = {}
_clients_lock = threading.Lock()


def client_for(provider: Provider) -> DjangoOAuth2App:
    """An authlib client for the provider; its discovery document is cached for METADATA_TTL seconds."""
    now = time.monotonic()
    with _clients_lock:
        cached = _clients.get(provider.cache_key)
        if cached and now - cached[0] < METADATA_TTL:
            return cached[1]
        client = DjangoOAuth2App(
            DjangoIntegration(f"oidc_{provider.key}"),
            name=f"oidc_{provider.key}",
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.server_metadata_url,
            client_kwargs={
                "scope": provider.scope,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "default_timeout": HTTP_TIMEOUT,
            },
        )
        _clients[provider.cache_key] = (now, client)
        return client


def _load_metadata(provider: Provider, client: DjangoOAuth2App) -> dict:
    try:
        metadata = client.load_server_metadata()
    except Exception as exc:  # network or JSON errors: the provider is unavailable
        raise OIDCError(f"discovery failed: {exc.__class__.__name__}") from exc
    if metadata.get("issuer") != provider.issuer:
        # V10.5.3: the discovery document must be the configured issuer's own.
        raise OIDCError(f"discovery issuer {metadata.get('issuer')!r} is not {provider.issuer!r}")
    return metadata


def start(request, provider: Provider, redirect_uri: str):
    """Redirect to the provider's authorization endpoint (PKCE, state and nonce kept in the session)."""
    client = client_for(provider)
    _load_metadata(provider, client)
    extra = {"nonce": secrets.token_urlsafe(32)}
    if provider.acr_values:
        extra["acr_values"] = " ".join(provider.acr_values)
    return client.authorize_redirect(request, redirect_uri, **extra)


def finish(request, provider: Provider) -> dict:
    """Exchange the code and return the verified ID-token claims, or raise OIDCError."""
    client = client_for(provider)
    _load_metadata(provider, client)
    if request.GET.get("error"):
        raise OIDCError(f"provider returned error {request.GET.get('error')!r}")
    state = request.GET.get("state") or ""
    state_data = client.framework.get_state_data(request.session, state) if state else None
    if not state_data or not state_data.get("nonce") or not state_data.get("code_verifier"):
        raise OIDCError("unknown or reused state")
    expected_nonce = state_data["nonce"]
    claims_options = {
        "iss": {"essential": True, "value": provider.issuer},
        "aud": {"essential": True, "value": provider.client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "nonce": {"essential": True, "value": expected_nonce},
    }
    try:
        token = client.authorize_access_token(request, claims_options=claims_options, leeway=CLOCK_LEEWAY)
    except Exception as exc:  # authlib/joserfc raise many error types; every one refuses the sign-in
        raise OIDCError(f"token exchange or ID token rejected: {exc.__class__.__name__}: {exc}") from exc
    claims = token.get("userinfo")
    if not claims:
        raise OIDCError("no ID token in the token response")
    check_claims(claims, provider, expected_nonce)
    return dict(claims)


def check_claims(claims, provider: Provider, expected_nonce: str, now: float | None = None) -> None:
    """Explicit checks, independent of authlib's, so a change in the library cannot loosen them."""
    now = time.time() if now is None else now
    if claims.get("iss") != provider.issuer:
        raise OIDCError("iss does not match the configured issuer")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if provider.client_id not in audiences:
        raise OIDCError("aud does not contain our client_id")
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != provider.client_id:
        raise OIDCError("azp is not our client_id")
    if not secrets.compare_digest(str(claims.get("nonce", "")).encode(), expected_nonce.encode()):
        raise OIDCError("nonce does not match")
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp + CLOCK_LEEWAY < now:
        raise OIDCError("ID token has expired")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > 255:
        raise OIDCError("sub missing or invalid")
    if provider.acr_values and claims.get("acr") not in provider.acr_values:
        raise OIDCError(f"acr {claims.get('acr')!r} is not one of the required values")


def username_for(provider: Provider, subject: str) -> str:
    digest = hashlib.sha256(f"{provider.issuer}\n{subject}".encode()).hexdigest()[:16]
    return f"oidc-{provider.key}-{digest}"[:150]


def user_for_claims(provider: Provider, claims: dict):
    """Find the user keyed on (issuer, sub), or create one without any membership.

    Returns (user, created). The e-mail claim is stored for contact only and never used to match.
    """
    from django.contrib.auth import get_user_model
    from django.db import IntegrityError, transaction

    user_model = get_user_model()
    lookup = {"oidc_issuer": provider.issuer, "oidc_subject": claims["sub"]}
    user = user_model.objects.filter(**lookup).first()
    if user is not None:
        return user, False
    user = user_model(
        username=username_for(provider, claims["sub"]),
        first_name=str(claims.get("given_name", ""))[:150],
        last_name=str(claims.get("family_name", ""))[:150],
        email=str(claims.get("email", ""))[:254] if claims.get("email_verified", True) else "",
        **lookup,
    )
    locale = str(claims.get("locale", ""))[:2]
    if locale in dict(settings.LANGUAGES):
        user.language = locale
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a parallel first sign-in created it
        return user_model.objects.get(**lookup), False
    security_log.info("oidc user created user=%s provider=%s", user.pk, provider.key)
    return user, True
