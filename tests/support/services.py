"""Tell whether the real services are configured and answering, with a reason when not."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def postgres_reason() -> str | None:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL (make test-services does)"
    return None


def redis_reason() -> str | None:
    if not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL (make test-services does)"
    from config.env_checks import redis_unreachable_reason

    return redis_unreachable_reason(settings.REDIS_URL)
