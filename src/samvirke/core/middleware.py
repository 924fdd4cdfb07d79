from samvirke.core.access import actor_for_user


class ActorMiddleware:
    """Builds `request.actor` once per request. Memberships count only once the session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        verified = bool(user and user.is_authenticated and _is_verified(request, user))
        request.actor = actor_for_user(user, verified=verified)
        return self.get_response(request)


def _is_verified(request, user) -> bool:
    # django-otp marks sessions that passed a one-time password; an OIDC login is verified at the
    # identity provider (see accounts/oidc.py), which records that in the session.
    if getattr(user, "is_verified", None) and user.is_verified():
        return True
    return bool(request.session.get("samvirke_oidc_verified"))


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: a strict CSP and no caching of pages with content (ASVS V14.3)."""

    CSP = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.CSP)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
