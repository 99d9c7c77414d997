"""Reminder kinds used only by the reminder engine's tests (and the benchmark).

The real kinds (session tomorrow, check-in tomorrow, ...) are registered by the apps
that own their subjects. Worker subprocesses load these through
``tests.support.celery_reminders`` (``celery -A tests.support.celery_reminders``).
"""

from __future__ import annotations

from reminders.registry import ReminderKind, register

TEMPLATE = "reminders/email/notice"


def sample() -> dict[str, str]:
    return {"title": "Your group meets tomorrow", "body": "See you at 1pm.", "when_at": "2026-03-29T12:00:00+00:00"}


NOTICE = register(ReminderKind(code="test_notice", label="Test notice", template=TEMPLATE, sample=sample))
ESSENTIAL = register(
    ReminderKind(code="test_essential", label="Test essential notice", template=TEMPLATE, essential=True, sample=sample)
)
URGENT = register(
    ReminderKind(code="test_urgent", label="Test urgent notice", template=TEMPLATE, urgent=True, sample=sample)
)
