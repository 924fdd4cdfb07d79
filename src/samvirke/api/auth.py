"""API authentication: personal bearer tokens, or the browser session (with CSRF) for the docs page."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from samvirke.accounts.models import TOKEN_PREFIX, ApiToken, hash_token
from samvirke.core.access import actor_for_user
from samvirke.core.errors import PermissionDenied


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    default_message = _(
        "The request has no valid CSRF token. Send the X-CSRFToken header from a signed-in page, "
        "or use an API token instead."
    )


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        api_token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
        if api_token is None or not api_token.is_active or not api_token.user.is_active:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        # A token is issued from a two-factor-verified session, so it carries the user's memberships.
        request.actor = actor_for_user(api_token.user, verified=True)
        _activate_language(request, api_token.user)
        return api_token.user


def _activate_language(request, user) -> None:
    """A client that asks for a language (Accept-Language or the language cookie) gets it; otherwise
    the token owner's own language, as on the web pages."""
    asked = "HTTP_ACCEPT_LANGUAGE" in request.META or settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    if not asked and user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language


class SessionAuth(APIKeyCookie):
    """The signed-in browser session. The chokepoint uses the Actor built by ActorMiddleware.

    Unsafe methods need a CSRF token (header X-CSRFToken), as for any form. Requests without a session
    cookie skip the CSRF check, so a client with a wrong bearer token gets 401, not a CSRF error.
    """

    param_name = "sessionid"

    def __init__(self):
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def _get_key(self, request):
        key = request.COOKIES.get(self.param_name)
        if not key:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfFailed()
        return key

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.user
        return None
