"""System checks for sign-in settings: OIDC configuration and login throttling."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security)
def oidc_settings(app_configs, **kwargs):
    from samvirke.accounts.oidc import parse_providers

    try:
        parse_providers(settings.OIDC_PROVIDERS)
    except ImproperlyConfigured as exc:
        return [Error(f"OIDC_PROVIDERS is invalid: {exc}", id="samvirke.E101")]
    return []


@register(Tags.security)
def throttling_settings(app_configs, **kwargs):
    errors = []
    if "axes.backends.AxesStandaloneBackend" not in settings.AUTHENTICATION_BACKENDS[:1]:
        errors.append(Error("django-axes must be the first authentication backend.", id="samvirke.E102"))
    if not (1 <= settings.AXES_FAILURE_LIMIT <= 10) or not settings.AXES_COOLOFF_TIME:
        errors.append(
            Error(
                "AXES_FAILURE_LIMIT must be 1–10 and AXES_COOLOFF_TIME set (ASVS V6.3.1).", id="samvirke.E103"
            )
        )
    return errors
