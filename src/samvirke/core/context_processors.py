from django.conf import settings


def samvirke(request):
    return {
        "actor": getattr(request, "actor", None),
        "demo_mode": settings.DEMO_MODE,
        "oidc_enabled": bool(settings.OIDC_PROVIDERS),
    }
