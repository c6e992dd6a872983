"""Settings for the MPP platform: every value comes from the environment.

`.env.example` lists each variable. Development needs none of them: the defaults give
DEBUG on, SQLite in WAL mode and console e-mail. Production sets DEBUG=False, SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL (see docs/operations.md).
"""

import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting; a typo ("Ture") stops start-up instead of reading as False."""
    value = (os.environ.get(name) or "").strip().lower()
    if not value:
        return default
    if value not in TRUE_WORDS | FALSE_WORDS:
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r}: use one of {', '.join(sorted(TRUE_WORDS | FALSE_WORDS))}"
        )
    return value in TRUE_WORDS


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=False")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "mpp.core.views.csrf_failure"  # a translated page, not Django's English 403
SITE_NAME = os.environ.get("SITE_NAME", "Mal Pelayanan Publik")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Our apps, in the order imports may flow (see docs/decisions/0001).
    "mpp.core",
    "mpp.accounts",
    "mpp.registry",
    "mpp.citizens",
    "mpp.visits",
    "mpp.surveys",
    "mpp.monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "mpp.core.params.NulInQueryRefusedMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "mpp" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "mpp.core.context_processors.site",
            ],
        },
    },
]

# Database: SQLite by default (WAL, IMMEDIATE transactions so writers queue instead of
# failing with "database is locked"); PostgreSQL in production through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # Tests use a file (one per run), not shared-cache memory: the live server's threads
    # (browser tests, boards polling) then read while the test writes, as in production.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("SQLITE_TEST_NAME")
        or os.path.join(tempfile.gettempdir(), f"mpp-test-{os.getpid()}.sqlite3")
    }


def prepared_statements(database: dict) -> None:
    """Parameters bound by the server and statements prepared per connection after
    DB_PREPARE_THRESHOLD runs: the same few statements of every kiosk tap or token request
    are then parsed and planned once per connection, not on every run (decision 0048). A
    transaction-pooling proxy (pgbouncer before 1.21) cannot keep prepared statements: set
    DB_SERVER_SIDE_BINDING=False there."""
    if database["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "DB_SERVER_SIDE_BINDING", True
    ):
        database.setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=env_int("DB_PREPARE_THRESHOLD", 2)
        )


prepared_statements(DATABASES["default"])

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:start"  # each role lands on its own start page
LOGOUT_REDIRECT_URL = "registry:mall_directory"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time: Bahasa Indonesia first; store UTC, show each mall in its own zone.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "id")
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "mpp" / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mpp@localhost")

# Security: strict by default in production (manage.py check --deploy passes with no warning).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
SESSION_ENGINE = "mpp.core.sessions"  # the database store, its read compiled once (why: there)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 50),
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MPP platform API",
    "DESCRIPTION": (
        "Public service malls (Mal Pelayanan Publik): registry, queue, citizen data, "
        "service quality and national monitoring."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status"; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "mpp.visits.models.TicketStatus",
        "MallStatusEnum": "mpp.registry.models.MallStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Keyed hash for NIK look-ups (bookings, citizen accounts). Set it once in production and
# never change it: existing hashes would stop matching.
NIK_HASH_KEY = os.environ.get("NIK_HASH_KEY", "") or f"nik:{SECRET_KEY}"

# SMS/WhatsApp/e-mail notifications (mpp.core.messaging).
MESSAGING_BACKEND = os.environ.get("MESSAGING_BACKEND", "mpp.core.messaging.ConsoleBackend")

# Queue rules (see docs/decisions/0004-queue-order.md).
QUEUE_PRIORITY_HEAD_START_MINUTES = env_int("QUEUE_PRIORITY_HEAD_START_MINUTES", 15)
# A priority visitor who has waited this long is called next (0: off); a mall may set its own
# (bench/priority_rules.py: head start 15 + limit 15 → priority p90 17 min instead of 40).
QUEUE_PRIORITY_WAIT_LIMIT_MINUTES = env_int("QUEUE_PRIORITY_WAIT_LIMIT_MINUTES", 15)
# A no-show who turns up may be brought back this long after the call, this many times,
# behind the next N people waiting for the same service.
QUEUE_NO_SHOW_RETURN_MINUTES = env_int("QUEUE_NO_SHOW_RETURN_MINUTES", 30)
QUEUE_NO_SHOW_RETURNS = env_int("QUEUE_NO_SHOW_RETURNS", 1)
QUEUE_NO_SHOW_RETURN_AFTER = env_int("QUEUE_NO_SHOW_RETURN_AFTER", 2)
# Walk-in tickets per service and day at most (0: no cap); a service may set its own.
QUEUE_DAILY_TICKET_CAP = env_int("QUEUE_DAILY_TICKET_CAP", 0)
# Managers are alerted when a service's oldest waiting visitor passes this (0: the standard's
# completion time, else 30 minutes); `manage.py send_queue_alerts` every minute.
QUEUE_ALERT_WAIT_MINUTES = env_int("QUEUE_ALERT_WAIT_MINUTES", 0)
# A citizen's flow at a shared kiosk (face check → greeting → ticket) ends after this long,
# so an abandoned flow cannot be finished by the next visitor.
KIOSK_FLOW_MINUTES = env_int("KIOSK_FLOW_MINUTES", 10)
# Device pages (kiosk, receipt, survey kiosk) go back to their start after this long untouched.
KIOSK_IDLE_SECONDS = env_int("KIOSK_IDLE_SECONDS", 60)
# The kiosk's thermal paper: 80 or 58 (mm); the receipt is laid out for it.
KIOSK_RECEIPT_MM = env_int("KIOSK_RECEIPT_MM", 80)
# The board calls in these languages, in order (recorded clips: id, en); a new call stays
# highlighted this long.
BOARD_CALL_LANGUAGES = [
    code for code in env_list("BOARD_CALL_LANGUAGES", "id") if code in ("id", "en")
] or ["id"]
BOARD_HIGHLIGHT_SECONDS = env_int("BOARD_HIGHLIGHT_SECONDS", 10)
BOOKING_SLOT_MINUTES = env_int("BOOKING_SLOT_MINUTES", 30)
BOOKING_SHARE_PERCENT = env_int("BOOKING_SHARE_PERCENT", 50)
BOOKING_GRACE_MINUTES = env_int("BOOKING_GRACE_MINUTES", 15)
BOOKING_REMINDER_MINUTES = env_int("BOOKING_REMINDER_MINUTES", 60)  # SMS before the slot; 0: none
BOOKINGS_PER_NIK_PER_DAY = env_int("BOOKINGS_PER_NIK_PER_DAY", 3)
BOOKING_ATTEMPTS_PER_HOUR = env_int("BOOKING_ATTEMPTS_PER_HOUR", 30)  # per client address

# Citizen data (docs/decisions/0005). Keys: comma-separated, the first encrypts; back them up
# apart from database dumps. Never change ACCESS_LOG_KEY (the chain would stop verifying).
CITIZEN_DATA_KEY = os.environ.get("CITIZEN_DATA_KEY", "")
ACCESS_LOG_KEY = os.environ.get("ACCESS_LOG_KEY", "")
CITIZENS_COLLECTIVE_LEAVE_IS_OFF = env_bool("CITIZENS_COLLECTIVE_LEAVE_IS_OFF", True)
if not DEBUG and not (CITIZEN_DATA_KEY and ACCESS_LOG_KEY):
    raise ImproperlyConfigured("CITIZEN_DATA_KEY and ACCESS_LOG_KEY must be set when DEBUG=False")

# PostgreSQL durability of the access log's own commits (docs/decisions/0005): "off" loses at
# most the last fraction of a second of log records on a server crash, never the chain's order.
ACCESS_LOG_SYNCHRONOUS_COMMIT = os.environ.get("ACCESS_LOG_SYNCHRONOUS_COMMIT", "off")

# Faces (docs/decisions/0013). FACE_TEMPLATE_KEY: base64 of 32 bytes, required when DEBUG=False.
FACE_TEMPLATE_KEY = os.environ.get("FACE_TEMPLATE_KEY", "")
FACE_IDENTITY_PROVIDER = os.environ.get(
    "FACE_IDENTITY_PROVIDER", "mpp.biometrics.provider.FakeIdentityProvider"
)
# Load the face models when a web worker starts, not on the first face check-in (which then
# waits seconds, its worker blocked). On for instances whose kiosks or desks use faces.
FACE_WARM_MODELS = env_bool("FACE_WARM_MODELS", False)
# Ask FACE_IDENTITY_PROVIDER (NIK + face → yes/no) at every enrolment; refuse when it says no.
FACE_VERIFY_WITH_PROVIDER = env_bool("FACE_VERIFY_WITH_PROVIDER", False)
if not DEBUG and not FACE_TEMPLATE_KEY:
    raise ImproperlyConfigured("FACE_TEMPLATE_KEY must be set when DEBUG=False")

# --- Face recognition fit for the people served (issue 12, docs/decisions/0015) ---
# FACE_THRESHOLDS: JSON printed by `manage.py face_eval --calibrate GROUP` on the deployment's
# own consented pilot data, e.g. {"verify": 0.56, "identify": 0.74, "duplicate": 0.45};
# empty = the thresholds calibrated on LFW's East/Southeast Asian development identities.
try:
    FACE_THRESHOLDS = json.loads(os.environ.get("FACE_THRESHOLDS") or "{}")
except ValueError as error:
    raise ImproperlyConfigured(f"FACE_THRESHOLDS is not valid JSON: {error}") from error
if not isinstance(FACE_THRESHOLDS, dict):
    raise ImproperlyConfigured('FACE_THRESHOLDS must be a JSON object such as {"verify": 0.56}')

# Weekly report (mpp.monitoring): a mall is "quiet" below this share of its peers' median.
MONITORING_QUIET_SHARE = float(os.environ.get("MONITORING_QUIET_SHARE", "0.5"))
# The weekly report's service-quality figures (IKM, complaints, time, staffing) are kept
# this many seconds per week and process; 0 recomputes them for every report.
MONITORING_QUALITY_CACHE_SECONDS = int(os.environ.get("MONITORING_QUALITY_CACHE_SECONDS", "600"))

# Open data (mpp.monitoring): the publisher named in each file's metadata.
OPEN_DATA_PUBLISHER = (
    os.environ.get("OPEN_DATA_PUBLISHER")
    or "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi"
)
# Links in e-mails (the weekly report): the site's public address, without a trailing /.
PUBLIC_BASE_URL = (os.environ.get("PUBLIC_BASE_URL") or "http://localhost:8000").rstrip("/")

# Federation (mpp.monitoring, `manage.py push_to_national`): a regency instance sends each
# closed day of its malls to the national instance's ingest API. NATIONAL_URL is the national
# site (https://…, no trailing /); NATIONAL_PUSH_TOKENS maps a mall code to the system token the
# national instance issued for it, as JSON ({"mpp-6202": "…"}). Empty = no pushing.
NATIONAL_URL = os.environ.get("NATIONAL_URL", "").rstrip("/")
try:
    NATIONAL_PUSH_TOKENS = json.loads(os.environ.get("NATIONAL_PUSH_TOKENS") or "{}")
except ValueError as error:
    raise ImproperlyConfigured(f"NATIONAL_PUSH_TOKENS is not valid JSON: {error}") from error
NATIONAL_PUSH_INTERVAL_SECONDS = env_int("NATIONAL_PUSH_INTERVAL_SECONDS", 300)
NATIONAL_PUSH_DAYS_BACK = env_int("NATIONAL_PUSH_DAYS_BACK", 56)  # the first push
NATIONAL_PUSH_RESEND_DAYS = env_int("NATIONAL_PUSH_RESEND_DAYS", 3)  # late corrections
NATIONAL_PUSH_RETRY_SECONDS = env_int("NATIONAL_PUSH_RETRY_SECONDS", 30)  # doubled per failure
NATIONAL_PUSH_MAX_BACKOFF_SECONDS = env_int("NATIONAL_PUSH_MAX_BACKOFF_SECONDS", 3600)
# Seconds to wait for the national instance's answer: a hung national site costs one pass
# this long per mall, then the mall backs off.
NATIONAL_PUSH_TIMEOUT_SECONDS = env_int("NATIONAL_PUSH_TIMEOUT_SECONDS", 30)

# Complaints (mpp.surveys): working days to answer.
COMPLAINT_ANSWER_WORKING_DAYS = env_int("COMPLAINT_ANSWER_WORKING_DAYS", 14)
# Survey and complaint submissions per client address (or kiosk) per hour.
SURVEYS_SURVEY_POSTS_PER_HOUR = env_int("SURVEYS_SURVEY_POSTS_PER_HOUR", 30)
SURVEYS_COMPLAINT_POSTS_PER_HOUR = env_int("SURVEYS_COMPLAINT_POSTS_PER_HOUR", 10)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "mpp",
    },
    # Shared by every process: rate limits, login lockouts (see the security block below).
    "shared": {},
}


# --- Security (issue 13): lockout, shared limits, MFA, sessions, headers, logs ---
INSTALLED_APPS += [
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
# Login protection (django-axes, docs/decisions/0016): every authenticate() call counts:
# the login form, the admin, the API's Basic and session paths.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "mpp.accounts.mfa.SecurityMiddleware",
)
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    "mpp.core.headers.PermissionsPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]
# Content-Security-Policy (django-csp): scripts only from our own files, never inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],  # htmx adds its indicator style
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (mpp.core.headers): the camera only on these pages (URL names).
CAMERA_PAGES = [
    "visits:kiosk_face_camera",
    "visits:desk_face_camera",
    "citizens:officer_face",
    "citizens:officer_delegation_face",
    "citizens:officer_delegation_face_camera",
    "citizens:face_mine",
]
# Two-factor sign-in (docs/decisions/0017): roles that must use it (a pilot may drop one),
# and admin staff; a citizen may opt in. The API's HTTP Basic path cannot carry a second
# factor, so it is refused for these accounts unless MFA_ALLOW_API_BASIC (machines only).
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", "ministry_analyst,mall_manager,counter_officer")
MFA_REQUIRED_FOR_ADMIN_STAFF = env_bool("MFA_REQUIRED_FOR_ADMIN_STAFF", True)
MFA_ALLOW_API_BASIC = env_bool("MFA_ALLOW_API_BASIC", False)
OTP_TOTP_ISSUER = SITE_NAME
OTP_TOTP_THROTTLE_FACTOR = 1
# Staff sessions: idle timeout and absolute lifetime (0 turns one off). Citizens keep
# Django's session age; kiosk and desk flows clear their session when the flow ends.
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30)
STAFF_SESSION_MAX_HOURS = env_int("STAFF_SESSION_MAX_HOURS", 12)
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 10)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 50)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)
AXES_FAILURE_LIMIT = "mpp.accounts.lockout.failure_limit"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCK_MINUTES)
AXES_LOCKOUT_CALLABLE = "mpp.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "mpp.accounts.lockout.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
PASSWORD_RESETS_PER_HOUR = env_int("PASSWORD_RESETS_PER_HOUR", 5)
# Shared limits (mpp.core.ratelimit), per hour unless named otherwise; 0 turns one off.
REGISTRATION_SMS_PER_PHONE_PER_HOUR = env_int("REGISTRATION_SMS_PER_PHONE_PER_HOUR", 3)
REGISTRATION_SMS_PER_ADDRESS_PER_HOUR = env_int("REGISTRATION_SMS_PER_ADDRESS_PER_HOUR", 10)
ONE_TIME_CODE_CHECKS_PER_HOUR = env_int("ONE_TIME_CODE_CHECKS_PER_HOUR", 20)
FACE_ATTEMPTS_PER_CITIZEN_PER_HOUR = env_int("FACE_ATTEMPTS_PER_CITIZEN_PER_HOUR", 5)
FACE_ATTEMPTS_PER_DEVICE_PER_HOUR = env_int("FACE_ATTEMPTS_PER_DEVICE_PER_HOUR", 60)
INGEST_REQUESTS_PER_MINUTE = env_int("INGEST_REQUESTS_PER_MINUTE", 60)
# Ingest (mpp.monitoring): a larger body is answered with a JSON 413 before it is read.
INGEST_MAX_BODY_BYTES = env_int("INGEST_MAX_BODY_BYTES", 5_000_000)
# Plausible upper bounds per field of a mall-day (counts) or a visit (event minutes);
# INGEST_BOUNDS (JSON) overrides some or all of them.
INGEST_BOUNDS = {
    "issued": 20_000,
    "served": 20_000,
    "no_shows": 20_000,
    "served_within_standard": 20_000,
    "avg_wait_minutes": 720,
    "avg_service_minutes": 480,
    "wait_minutes": 1440,
    "service_minutes": 1440,
}
try:
    INGEST_BOUNDS |= json.loads(os.environ.get("INGEST_BOUNDS") or "{}")
except ValueError as error:
    raise ImproperlyConfigured(f"INGEST_BOUNDS is not valid JSON: {error}") from error
# When a mall-day has both the platform queue's data and counts sent by the mall's own
# system, which one the report uses: "queue" (default) or "counts". The ingest reply says so.
MONITORING_QUEUE_COUNTS_WINNER = os.environ.get("MONITORING_QUEUE_COUNTS_WINNER") or "queue"
if MONITORING_QUEUE_COUNTS_WINNER not in ("queue", "counts"):
    raise ImproperlyConfigured("MONITORING_QUEUE_COUNTS_WINNER must be 'queue' or 'counts'")


def cache_from_url(url: str) -> dict:
    """CACHE_URL: empty or db:// (the database cache, nothing to install), redis://host:6379/0
    (Redis, for several machines), locmem:// (one process only: development)."""
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"}
    if url in ("", "db://") or url.startswith("db://"):
        return {
            "BACKEND": "mpp.core.cache.DatabaseCache",
            "LOCATION": url.removeprefix("db://") or "mpp_cache",
            "OPTIONS": {"MAX_ENTRIES": 200_000, "CULL_FREQUENCY": 4},
        }
    raise ImproperlyConfigured(f"CACHE_URL: unknown scheme in {url!r}")


CACHES["shared"] = cache_from_url(os.environ.get("CACHE_URL", ""))
# The API schema lists the shared error statuses of every operation (mpp.core.openapi).
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "mpp.core.openapi.add_error_responses",
]
# Messaging in production (mpp.core.checks refuses a printing backend with DEBUG=False).
MESSAGING_ALLOW_CONSOLE = env_bool("MESSAGING_ALLOW_CONSOLE", False)
MESSAGING_GATEWAY_URL = os.environ.get("MESSAGING_GATEWAY_URL", "")
MESSAGING_GATEWAY_TOKEN = os.environ.get("MESSAGING_GATEWAY_TOKEN", "")
# The outbox (mpp/visits/outbox.py): a worker's claim on a batch lasts this long (a killed
# worker's rows are sent by another after it), a failing gateway pauses its channel for at
# most this long between tries, and a message older than this is dropped, not sent.
NOTIFICATION_CLAIM_SECONDS = env_int("NOTIFICATION_CLAIM_SECONDS", 60)
NOTIFICATION_BACKOFF_MAX_SECONDS = env_int("NOTIFICATION_BACKOFF_MAX_SECONDS", 300)
NOTIFICATION_MAX_AGE_MINUTES = env_int("NOTIFICATION_MAX_AGE_MINUTES", 120)
# Officers read consented citizen data only while serving the citizen (a ticket called at
# their counter, an open application with their agency); otherwise with a reason
# ("break-glass"), flagged for the citizen and the mall's managers.
CITIZENS_READS_NEED_CONTEXT = env_bool("CITIZENS_READS_NEED_CONTEXT", True)
# Access log checkpoints (docs/decisions/0018): a file on another, append-only volume
# and/or the data-protection officer's address; the key (base64) signs them.
ACCESS_LOG_CHECKPOINT_FILE = os.environ.get("ACCESS_LOG_CHECKPOINT_FILE", "")
ACCESS_LOG_CHECKPOINT_EMAIL = os.environ.get("ACCESS_LOG_CHECKPOINT_EMAIL", "")
ACCESS_LOG_CHECKPOINT_KEY = os.environ.get("ACCESS_LOG_CHECKPOINT_KEY", "")
# Axes' per-attempt lines are noise; its lock warnings stay (and mpp.security logs each lock).
LOGGING.setdefault("loggers", {})["axes"] = {"level": "WARNING"}
# faiss announces at INFO which CPU build it loaded (and that the AVX2 one is absent) on
# every start; only its warnings matter.
LOGGING["loggers"]["faiss"] = {"level": "WARNING"}
LOGGING["loggers"]["faiss.loader"] = {"level": "WARNING"}
# --- Production operations (issue 14): static files, workers, health, metrics, logs ---
# Source maps are fetched only by developer tools: serve them uncompressed (halves the time
# collectstatic spends compressing).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
# Background loops beat this often; /readyz fails for a worker silent longer than the max age.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 30)
WORKER_HEARTBEAT_MAX_AGE_SECONDS = env_int("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 300)
# The workers /readyz expects (names as in the Procfile); empty: none are checked.
READY_WORKERS = env_list(
    "READY_WORKERS", "notifications,summaries,weekly_mail,partitions,logout_tokens"
)
# /readyz fails when the oldest due notification waits longer, or the replica lags more.
READY_OUTBOX_LAG_SECONDS = env_int("READY_OUTBOX_LAG_SECONDS", 300)
READY_REPLICA_LAG_SECONDS = env_int("READY_REPLICA_LAG_SECONDS", 60)
# /metrics: a bearer token, and/or networks (CIDR) allowed without one. A request that came
# through the reverse proxy (X-Forwarded-For set) never passes on its network alone.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
# The file-based mail backend's folder (a machine without SMTP, e.g. `make prod`).
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
# Logs: "json" (one object per line: requests, worker batches) or "text". JSON in production.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT == "json":
    LOGGING["formatters"] = {"json": {"()": "mpp.core.logs.JsonFormatter"}}
    LOGGING["handlers"]["console"]["formatter"] = "json"
else:  # a line per request is for machines; developers see runserver's own
    LOGGING.setdefault("loggers", {})["mpp.requests"] = {"level": "WARNING"}
# First, so redirects and errors of every later middleware are logged too.
MIDDLEWARE.insert(0, "mpp.core.logs.RequestLogMiddleware")
# Read replica (docs/decisions/0020): a PostgreSQL hot standby for the report, dashboards,
# open data and exports. Writes, the queue and every other page use the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 10)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0)
    )
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2}
    prepared_statements(DATABASES["replica"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # the standby replays the test DB
    DATABASE_ROUTERS = ["mpp.core.replica.ReplicaRouter"]
    MIDDLEWARE.append("mpp.core.replica.ReadYourWritesMiddleware")
# Tickets partitioned by month on PostgreSQL (docs/decisions/0021): months created ahead, and
# months detached (for archiving) once older than the retention; 0 keeps every month.
VISITS_PARTITIONS_AHEAD = env_int("VISITS_PARTITIONS_AHEAD", 3)
VISITS_PARTITION_RETENTION_MONTHS = env_int("VISITS_PARTITION_RETENTION_MONTHS", 0)


# --- Sign-in with MPP (issue 18, docs/decisions/0036): OpenID Connect provider ---
INSTALLED_APPS.insert(INSTALLED_APPS.index("mpp.citizens") + 1, "mpp.identity")
INSTALLED_APPS += ["oauth2_provider"]


def _oidc_keys() -> list[str]:
    """OIDC_RSA_PRIVATE_KEYS: PEM keys separated by blank lines or in files named by
    OIDC_RSA_PRIVATE_KEY_FILES (comma-separated); the first signs, the others stay in the
    JWKS until tokens signed with them have expired (rotation). Development makes one key
    per machine under the temporary directory; production must set one."""
    pems = []
    for name in env_list("OIDC_RSA_PRIVATE_KEY_FILES", ""):
        pems.append(Path(name).read_text())
    text = os.environ.get("OIDC_RSA_PRIVATE_KEYS", "").replace("\\n", "\n")
    end = "-----END PRIVATE KEY-----"
    end_rsa = "-----END RSA PRIVATE KEY-----"
    for marker in (end_rsa, end):
        if marker in text:
            pems += [p.strip() + "\n" + marker + "\n" for p in text.split(marker) if p.strip()]
            break
    if pems:
        return pems
    if not DEBUG:
        raise ImproperlyConfigured("OIDC_RSA_PRIVATE_KEYS must be set when DEBUG=False")
    path = Path(tempfile.gettempdir()) / "mpp-oidc-development-key.pem"
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        temporary = path.with_suffix(f".{os.getpid()}")
        temporary.write_bytes(pem)
        temporary.replace(path)  # atomic: two processes starting together agree on one key
    return [path.read_text()]


def _pkce_required(client_id: str) -> bool:
    from mpp.identity.clients import pkce_required

    return pkce_required(client_id)


OIDC_KEYS = _oidc_keys()
OIDC_STEP_UP_MINUTES = env_int("OIDC_STEP_UP_MINUTES", 10)
# Back-channel logout tokens (mpp/identity/backchannel.py), posted by `send_logout_tokens`.
OIDC_LOGOUT_SENDER = os.environ.get("OIDC_LOGOUT_SENDER", "mpp.identity.backchannel.HttpSender")
OIDC_LOGOUT_CLAIM_SECONDS = env_int("OIDC_LOGOUT_CLAIM_SECONDS", 60)
OIDC_LOGOUT_BACKOFF_MAX_SECONDS = env_int("OIDC_LOGOUT_BACKOFF_MAX_SECONDS", 600)
OIDC_LOGOUT_POST_TIMEOUT_SECONDS = env_int("OIDC_LOGOUT_POST_TIMEOUT_SECONDS", 5)
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": OIDC_KEYS[0],
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": OIDC_KEYS[1:],
    # Empty: the issuer follows the request's host (https://host/oidc).
    "OIDC_ISS_ENDPOINT": os.environ.get("OIDC_ISSUER", ""),
    "OAUTH2_VALIDATOR_CLASS": "mpp.identity.validators.Validator",
    "SCOPES_BACKEND_CLASS": "mpp.identity.scopes.ScopesBackend",
    "PKCE_REQUIRED": _pkce_required,
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OIDC_ACCESS_TOKEN_SECONDS", 600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("OIDC_REFRESH_TOKEN_SECONDS", 30 * 24 * 3600),
    "ID_TOKEN_EXPIRE_SECONDS": env_int("OIDC_ID_TOKEN_SECONDS", 600),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "REQUEST_APPROVAL_PROMPT": "force",
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "OIDC_RP_INITIATED_LOGOUT_DELETE_TOKENS": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if DEBUG else ["https"],
    "ALLOWED_SCHEMES": ["https", "http"] if DEBUG else ["https"],
    "CLIENT_SECRET_HASHER": "client_secret_pbkdf2_sha256",
    # OAuth 2.0 Security BCP (RFC 9700): no implicit or password grant, PKCE S256 only,
    # tokens never in a URL, `iss` in the authorization response, tokens stored hashed.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
}
# Django's hashers for passwords (the first hashes new ones), then the one for client secrets.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "mpp.identity.hashers.ClientSecretHasher",
]
# django-oauth-toolkit's models, named so that migrations pointing at them resolve.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_DEVICE_GRANT_MODEL = "oauth2_provider.DeviceGrant"
