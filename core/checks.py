"""System checks that turn a wrong deploy setting into one clear line."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

from config.env_checks import redis_unreachable_reason


@register(Tags.caches)
def redis_answers(app_configs: object = None, **kwargs: object) -> list[Error]:
    if not settings.REDIS_URL or getattr(settings, "STEADY_SKIP_REDIS_CHECK", False):
        return []
    reason = redis_unreachable_reason(settings.REDIS_URL)
    return [Error(reason, id="steady.E001")] if reason else []
