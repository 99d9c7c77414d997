"""Settings for the test suite: fast hashing, emails kept in memory."""

import uuid

from config.env_checks import broker_settings

from .base import *  # noqa: F403
from .base import CACHES, REDIS_URL, VAR_DIR, env

DEBUG = False
SECRET_KEY = "steady-tests-only-not-a-secret"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")

# A broker folder of the tests' own, so a `make run` worker never takes a test's task.
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = broker_settings(REDIS_URL, VAR_DIR / "test-broker")
STEADY_SKIP_REDIS_CHECK = False

# Tests travel in time (time-machine) between signing in and the next page: the idle sign-out would end
# their sessions. tests/privacy/test_hardening.py turns it on to test it.
STEADY_IDLE_TIMEOUT_MINUTES = 0

# Cached values of one test run (the bell's counts, keyed by person id) never meet another run's in Redis,
# where a new test database gives the same ids again.
# Without Redis, the embedded suite keeps them in memory (emptied before each test by tests/conftest.py).
if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}}
