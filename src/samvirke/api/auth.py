"""API authentication: personal bearer tokens, or the browser session (with CSRF) for the docs page."""

from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from samvirke.accounts.models import TOKEN_PREFIX, ApiToken, hash_token
from samvirke.core.access import actor_for_user


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        if not token or not token.startswith(TOKEN_PREFIX):
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
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session. The chokepoint uses the Actor built by ActorMiddleware."""

    param_name = "sessionid"

    def __init__(self):
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.user
        return None
