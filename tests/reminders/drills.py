"""What the reminder drills share: the engine's settings, its processes, and how to tell all arrived.

Workers run ``celery -A tests.support.celery_reminders`` (Steady's app plus the test kinds)
with a 1-second dispatch beat and, unless a drill says otherwise, a 6-second lease, so a
dead sender's rows come back within seconds instead of a minute. Each drill has its own
Redis server and SMTP sink on free ports.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reminders.models import Reminder
from tests.factories import ParticipantFactory
from tests.support.smtp import SmtpSink

APP = "tests.support.celery_reminders"
LEASE_SECONDS = 6


def engine_env(redis_url: str, sink: SmtpSink, **extra: str) -> dict[str, str]:
    """The engine's settings for a drill; ``extra`` overrides them (``None`` leaves a setting at its default)."""
    env = {
        "REDIS_URL": redis_url,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_TIMEOUT": "5",
        "STEADY_REMINDER_DISPATCH_SECONDS": "1",
        "STEADY_REMINDER_LEASE_SECONDS": str(LEASE_SECONDS),
        "STEADY_REMINDER_BATCH_SIZE": "50",
        "STEADY_REMINDER_BACKOFF_SECONDS": "1",
        "STEADY_REMINDER_BACKOFF_CAP_SECONDS": "2",
        "STEADY_REMINDER_MAX_ATTEMPTS": "30",
        # Drills run at any hour: no quiet hours.
        "STEADY_QUIET_FROM": "0",
        "STEADY_QUIET_UNTIL": "0",
        **extra,
    }
    return {name: value for name, value in env.items() if value is not None}


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as running:
        yield running


@pytest.fixture
def engine(own_redis, sink, celery_processes):
    """Start workers and beats of the reminder engine on the drill's own Redis.

    Asked for after Redis and the sink, so the processes stop first at the end.
    """

    def start(name: str, *, command: str = "worker", **extra: str):
        return celery_processes(name, command=command, app=APP, **engine_env(own_redis.url(), sink, **extra))

    return start


def people(count: int) -> list:
    return [ParticipantFactory(line_manager=None) for _ in range(count)]


def sent_count() -> int:
    return Reminder.objects.filter(status=Reminder.Status.SENT).count()


def all_delivered(sink: SmtpSink, rows: list[Reminder]):
    expected = {row.pk for row in rows}
    return lambda: expected <= set(sink.counts()) and sent_count() == len(expected)


def logs(*processes) -> str:
    return "\n".join(process.log() for process in processes)
