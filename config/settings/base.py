"""Settings shared by every environment.

Every deploy-time knob is an environment variable with a safe local default.
With no environment set, Steady runs embedded: SQLite, Celery over kombu's
filesystem transport, email to the console.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from config.env_checks import broker_settings, database_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("STEADY_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "bootstrap",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Steady, bottom layer first: a lower app never imports a higher one.
    "core",
    "accounts",
    "reminders",
    "programmes",
    "sessions.apps.GroupSessionsConfig",
    "measures",
    "facilitation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (no inline script) and Permissions-Policy on every response.
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every access-log row written during the request records the client's address.
    "core.middleware.AuditAddressMiddleware",
    # After authentication: every response to a signed-in person is `Cache-Control: private, no-store`.
    "core.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: request.user.is_verified() (two-factor), then the idle sign-out.
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.IdleTimeoutMiddleware",
    "accounts.two_factor.TwoFactorSetupRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns locked-out logins into a calm page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "core.context_processors.steady",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# DATABASE_URL switches to PostgreSQL; the default is a SQLite file in var/.
DATABASES = {
    "default": database_settings(
        env.str("DATABASE_URL", default=""),
        default_sqlite_path=VAR_DIR / "steady.sqlite3",
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out login never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# django-axes: five failures for one account from one address lock that pair out for 30 minutes,
# and while locked even the right password is refused. The sign-in form's field is `username`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.login_username"
AXES_CLIENT_IP_CALLABLE = "core.http.client_address"
# How many proxies in front of Steady append to X-Forwarded-For (docs/deploy.md: one TLS proxy, so 1).
# 0 (the default) ignores X-Forwarded-For, which a client can write: only REMOTE_ADDR counts.
STEADY_TRUSTED_PROXIES = env.int("STEADY_TRUSTED_PROXIES", default=0)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# Content-Security-Policy (django-csp): scripts and styles come from Steady's own static files only.
# No 'unsafe-inline' and no 'unsafe-eval': templates hold no inline script or event handler
# (tests/privacy/test_hardening.py scans them). Images may be data: URIs (Bootstrap's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Powerful browser features Steady never uses are turned off for every page.
STEADY_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), browsing-topics=()"
)
# Two-step sign-in (django-otp, TOTP): the name authenticator apps show, and the admin never shows secrets.
OTP_TOTP_ISSUER = "Steady"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A signed-in session idle for longer than this is signed out (0 turns it off).
STEADY_IDLE_TIMEOUT_MINUTES = env.int("STEADY_IDLE_TIMEOUT_MINUTES", default=30)

# --- Language and time ------------------------------------------------------
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# --- Forms ------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Steady <steady@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The public address of this site, for links in emails and calendar feeds.
STEADY_SITE_URL = env.str("STEADY_SITE_URL", default="http://127.0.0.1:8000")
# Each role's home page (URL names). The home pages live in the top app; lower apps link to them through
# core.links.role_home_url_name(role), so they never name that app.
STEADY_ROLE_HOME_URL_NAMES = {
    "participant": "facilitation:participant_home",
    "facilitator": "facilitation:facilitator_home",
    "manager": "facilitation:manager_home",
    "service_lead": "facilitation:lead_home",
}

# --- Cache ------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Files in var/cache, not each process's memory: the web server and the worker share the page cache's
    # versions (core.page_cache), so a write made by a task shows on the next page, as it does with Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# The longest a cached part of a page (core.page_cache) is kept. Writes replace it at once; this bounds only
# changes by the clock that a page does not name as its own next change.
STEADY_PAGE_CACHE_SECONDS = env.int("STEADY_PAGE_CACHE_SECONDS", default=300)

# --- Celery -----------------------------------------------------------------
# REDIS_URL switches the broker to Redis; the default is kombu's filesystem
# transport in var/broker, so a real worker and beat run with no server.
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = broker_settings(REDIS_URL, VAR_DIR / "broker")
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Results are not needed: the database is the record of what happened.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
# Tasks opt in to late acks one by one (only idempotent ones), see core.tasks.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ALWAYS_EAGER = False

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused request (403, 404, 400) is one line in the log; only server errors keep their traceback.
    "filters": {"client_errors_without_traceback": {"()": "core.log_filters.ClientErrorsWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["client_errors_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
# The filesystem transport has no host name; kombu warns about it on every publish.
LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))

# --- Steady's domain settings ------------------------------------------------
# How long before its subject each reminder kind is due (kinds missing here are
# due at once). Each can be set with an environment variable of the same name.
STEADY_REMINDER_LEAD_TIMES = {
    "session_tomorrow": timedelta(hours=env.int("STEADY_SESSION_TOMORROW_HOURS", default=24)),
    "session_in_an_hour": timedelta(minutes=env.int("STEADY_SESSION_SOON_MINUTES", default=60)),
    "checkin_tomorrow": timedelta(hours=env.int("STEADY_CHECKIN_TOMORROW_HOURS", default=24)),
    "booster_next_week": timedelta(days=env.int("STEADY_BOOSTER_NEXT_WEEK_DAYS", default=7)),
    # Before a high-intensity session: you may pass or watch, how to reach a facilitator, crisis contacts.
    "heavy_week_note": timedelta(days=env.int("STEADY_HEAVY_WEEK_NOTE_DAYS", default=2)),
}
# An invitee who has not acknowledged the information pack is nudged this long after the invitation.
STEADY_PACK_NUDGE_AFTER = timedelta(days=env.int("STEADY_PACK_NUDGE_DAYS", default=3))
# No non-urgent email between these local hours; held until the end of quiet hours.
STEADY_QUIET_HOURS = (env.int("STEADY_QUIET_FROM", default=21), env.int("STEADY_QUIET_UNTIL", default=7))
# Protected time: hours per session = session length + this buffer (travel, settling).
STEADY_PROTECTED_TIME_BUFFER_MINUTES = env.int("STEADY_PROTECTED_TIME_BUFFER_MINUTES", default=30)
# Unanswered request: reminder to the manager, then escalation (working days).
STEADY_PROTECTED_TIME_REMIND_AFTER_WORKING_DAYS = env.int("STEADY_PROTECTED_TIME_REMIND_DAYS", default=2)
STEADY_PROTECTED_TIME_ESCALATE_AFTER_WORKING_DAYS = env.int("STEADY_PROTECTED_TIME_ESCALATE_DAYS", default=5)
STEADY_PROTECTED_TIME_ALERT_HOURS = env.int("STEADY_PROTECTED_TIME_ALERT_HOURS", default=72)
# Check-ins: cancelling later than this before the start is recorded as a late cancellation.
STEADY_CHECKIN_NOTICE_HOURS = env.int("STEADY_CHECKIN_NOTICE_HOURS", default=24)
# Help requests ("I'd like to talk"): a facilitator responds within this many working days (the cohort region's
# bank holidays skipped); unanswered, the cohort's facilitators are alerted then, the service lead a working day later.
STEADY_HELP_RESPONSE_WORKING_DAYS = env.int("STEADY_HELP_RESPONSE_WORKING_DAYS", default=2)
# A person who left a group may still ask to talk for this many weeks.
STEADY_HELP_AFTER_LEAVING_WEEKS = env.int("STEADY_HELP_AFTER_LEAVING_WEEKS", default=8)
# Crisis contacts shown when a person's region has no list of its own.
STEADY_DEFAULT_CRISIS_REGION = env.str("STEADY_DEFAULT_CRISIS_REGION", default="GB-ENG")
# A check-in offered after a heavy session shows on the facilitators' home if not taken up after this long.
STEADY_CHECKIN_OFFER_FOLLOW_UP_HOURS = env.int("STEADY_CHECKIN_OFFER_FOLLOW_UP_HOURS", default=72)
# Invitations to join a cohort expire after this many days.
STEADY_INVITATION_DAYS = env.int("STEADY_INVITATION_DAYS", default=14)
# Safeness: also warn when someone from the same team is already in the group (line manager and
# direct reports always count). Off by default: a large team is not a close one.
STEADY_SAFENESS_SAME_TEAM = env.bool("STEADY_SAFENESS_SAME_TEAM", default=False)
# The organisation report's tables are worked out again when older than this (seconds; 0: on every request).
STEADY_ORGANISATION_REPORT_MAX_AGE = env.int("STEADY_ORGANISATION_REPORT_MAX_AGE", default=600)
# The benchmark's floor page (/bench/floor/: a constant answer through the same middleware, session and
# sign-in as every page). Off unless STEADY_BENCH_FLOOR is set; bench/load.py sets it for its own server.
STEADY_BENCH_FLOOR = env.bool("STEADY_BENCH_FLOOR", default=False)

# --- Reminder engine (issue 5: reminders) ------------------------------------
# The beat wakes the dispatcher every minute (config/celery_app.py); it claims due
# rows in batches and hands each batch to one send task (one SMTP connection).
STEADY_REMINDER_BATCH_SIZE = env.int("STEADY_REMINDER_BATCH_SIZE", default=100)
# At most this many batches per dispatcher run; the next run takes the rest.
STEADY_REMINDER_MAX_BATCHES = env.int("STEADY_REMINDER_MAX_BATCHES", default=200)
# A row left "sending" this long without a sign of life (its worker died, or a lost broker took
# its task) is claimed again. A live sender renews its claim every lease/6 seconds and stops taking
# rows when its last renewal is half a lease old, so the lease can be short and two senders never overlap.
STEADY_REMINDER_LEASE_SECONDS = env.int("STEADY_REMINDER_LEASE_SECONDS", default=60)
# One budget for a send task, from which all its limits come: a sender waits at most
# seconds/20 for any one server reply (or EMAIL_TIMEOUT if less), takes no new message once
# a slowest-possible message (8 replies) would end past the budget, and Celery's soft and hard
# time limits are the budget and the budget + 30 s (reminders.services.sending.SendBudget).
STEADY_REMINDER_SEND_SECONDS = env.int("STEADY_REMINDER_SEND_SECONDS", default=180)
CELERY_TASK_ANNOTATIONS = {
    "reminders.tasks.reminders_send": {
        "soft_time_limit": STEADY_REMINDER_SEND_SECONDS,
        "time_limit": STEADY_REMINDER_SEND_SECONDS + 30,
    }
}
# Failed sends retry after base * 2**(attempt-1) seconds, at most the cap, then the row is failed.
STEADY_REMINDER_MAX_ATTEMPTS = env.int("STEADY_REMINDER_MAX_ATTEMPTS", default=6)
STEADY_REMINDER_BACKOFF_SECONDS = env.int("STEADY_REMINDER_BACKOFF_SECONDS", default=60)
STEADY_REMINDER_BACKOFF_CAP_SECONDS = env.int("STEADY_REMINDER_BACKOFF_CAP_SECONDS", default=3600)
# --- end of reminder engine settings -----------------------------------------

# Data rights (issue 13). Clinical notes and questionnaire answers are deleted this many months after
# a cohort ends (`manage.py purge_expired`, weekly). 24 months: long enough for the follow-up
# (boosters and 6- and 12-month questionnaires) and for a complaint or a clinical review of the
# group, short enough that notes are not kept "just in case" (UK GDPR storage limitation).
STEADY_CLINICAL_RETENTION_MONTHS = env.int("STEADY_CLINICAL_RETENTION_MONTHS", default=24)
# Rows changed per transaction by the purge.
STEADY_PURGE_BATCH_SIZE = env.int("STEADY_PURGE_BATCH_SIZE", default=500)
