import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samvirke.config.settings")
application = get_asgi_application()

from samvirke.core.checks import assert_safe_for_production  # noqa: E402 - needs settings loaded

assert_safe_for_production()
