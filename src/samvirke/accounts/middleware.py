from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's; anonymous users get cookie or browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


#: Paths an unverified user may still reach: finishing two-factor set-up, signing out, language, static.
MFA_EXEMPT_PREFIXES = (
    "/static/",
    "/i18n/",
    "/api/",
    "/accounts/mfa/",
    "/accounts/logout/",
    "/accounts/oidc/",
)


class RequireMFAMiddleware:
    """Anyone who can see AMBER or RED content must pass two-factor authentication (ASVS V6.3.3).

    Until they do, their Actor has no memberships (see ActorMiddleware), so they see only public
    content even if this redirect were skipped; this middleware sends them to finish signing in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.actor.is_verified
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and user.needs_mfa
        ):
            from django_otp import user_has_device

            target = "accounts:mfa_verify" if user_has_device(user) else "accounts:mfa_setup"
            url = reverse(target)
            if request.path != url:
                return redirect(f"{url}?next={request.get_full_path()}")
        return self.get_response(request)


def session_language_cookie(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        httponly=True,
    )
    return response
