"""Production refuses to start with a default secret, DEBUG or demo mode (system checks, run at start)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=False)
def production_settings(app_configs, **kwargs):
    if not settings.PRODUCTION:
        return []
    errors = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY or len(settings.SECRET_KEY) < 40:
        errors.append(Error("SECRET_KEY is the development default or too short.", id="samvirke.E001"))
    if settings.DEBUG:
        errors.append(Error("DEBUG must be off in production.", id="samvirke.E002"))
    if settings.DEMO_MODE:
        errors.append(
            Error("SAMVIRKE_DEMO (demo logins) cannot be enabled in production.", id="samvirke.E003")
        )
    return errors


def assert_safe_for_production() -> None:
    """Called from the ASGI entry point so a misconfigured production server never serves a request."""
    problems = production_settings(None)
    if problems:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("; ".join(p.msg for p in problems))
