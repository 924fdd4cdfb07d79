"""Samvirke settings, read from the environment (12-factor).

Development defaults are safe to run on a laptop; `SAMVIRKE_ENV=production` turns on the
checks in `samvirke.core.checks` that refuse to start with a default secret, DEBUG or demo mode.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # src/samvirke
PROJECT_DIR = BASE_DIR.parent.parent  # repository root

env = environ.Env()
environ.Env.read_env(PROJECT_DIR / ".env", overwrite=False)

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"

SAMVIRKE_ENV = env.str("SAMVIRKE_ENV", default="development")
PRODUCTION = SAMVIRKE_ENV == "production"
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Demo mode shows demo users' one-time codes on the verification page. Never in production.
DEMO_MODE = env.bool("SAMVIRKE_DEMO", default=False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "axes",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "samvirke.core",
    "samvirke.accounts",
    "samvirke.organisations",
    "samvirke.notices",
    "samvirke.risk",
    "samvirke.plans",
    "samvirke.emergencyplan",
    "samvirke.reminders",
    "samvirke.followup",
    "samvirke.agreements",
    "samvirke.api",
    "samvirke.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "samvirke.accounts.middleware.UserLanguageMiddleware",
    "samvirke.core.middleware.ActorMiddleware",
    "samvirke.accounts.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "samvirke.core.middleware.SecurityHeadersMiddleware",
    "samvirke.core.views.DomainErrorMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "samvirke.config.urls"
ASGI_APPLICATION = "samvirke.config.asgi.application"
WSGI_APPLICATION = "samvirke.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "samvirke.core.context_processors.samvirke",
            ],
        },
    }
]

DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{PROJECT_DIR / 'var' / 'samvirke.sqlite3'}"
    )
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL and a busy timeout let several ASGI workers share the embedded database.
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A connection pool per worker process. Under ASGI every request runs in a thread of its own, so
    # persistent (per-thread) connections are never reused: each request would open a new connection
    # and leave the old one idle. The pool hands connections to whichever thread asks.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "pool", {"min_size": 1, "max_size": env.int("DATABASE_POOL_SIZE", default=10)}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # required with a pool
    # PostgreSQL's JIT compiles any query whose estimated cost passes a threshold; for the regional risk
    # matrix that cost ~250 ms per request against a ~40 ms query (bench/risk.py). Off, as for most OLTP.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    # ASVS V6.2: length, not composition rules; no forced rotation.
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:overview"
LOGOUT_REDIRECT_URL = "accounts:login"

# Internationalisation: Norwegian bokmål by default, Swedish and English.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian bokmål")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["samvirke.formats"]
LANGUAGE_COOKIE_NAME = "samvirke_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(PROJECT_DIR / "var" / "media"))
# Document attachments (plans): outside the web root, never served by WhiteNoise or a static URL; sent only
# by plans.views.attachment_download after the chokepoint.
SAMVIRKE_ATTACHMENT_ROOT = env.path(
    "SAMVIRKE_ATTACHMENT_ROOT", default=str(PROJECT_DIR / "var" / "attachments")
)
SAMVIRKE_ATTACHMENT_MAX_BYTES = env.int("SAMVIRKE_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)

# E-mail: EMAIL_URL such as smtp://user:pass@host:587 or consolemail:// for development.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Samvirke <samvirke@localhost>")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks (django-tasks with the database backend of django-tasks-db): `manage.py db_worker` runs
# them; `manage.py enqueue_reminders` (daily, from cron or a systemd timer) queues the reminder pass.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Where people reach Samvirke: links in e-mails (reminders) are built from it, as a mail has no request.
SAMVIRKE_BASE_URL = env.str("SAMVIRKE_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Sessions and cookies (ASVS V3.3, V7.3).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_NAME = "__Host-samvirke_session" if PRODUCTION else "samvirke_session"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)  # absolute limit: one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_NAME = "__Host-samvirke_csrf" if PRODUCTION else "samvirke_csrf"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
)

# Login throttling (django-axes; ASVS V6.3.1).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Two-factor authentication.
OTP_TOTP_ISSUER = "Samvirke"
OTP_TOTP_THROTTLE_FACTOR = 1

# OpenID Connect for staff: off unless OIDC_PROVIDERS names at least one provider (see accounts/oidc.py).
OIDC_PROVIDERS = env.json("OIDC_PROVIDERS", default=[])

# History.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# API.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {"samvirke.security": {"level": "INFO", "handlers": ["console"], "propagate": False}},
}

TESTING = env.bool("SAMVIRKE_TESTING", default=False)
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
