"""Reminder kinds of facilitation. Subjects and bodies use the programme's neutral label only."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from reminders.registry import ReminderKind, register

# --- Protected time -----------------------------------------------------------


def _protected_time_context(reminder: Any) -> dict[str, Any]:
    """The row's own context (names, counts, neutral label, link) plus the site address."""
    return {**(reminder.context or {}), "site_url": settings.STEADY_SITE_URL, "recipient": reminder.recipient}


PROTECTED_TIME_KINDS = [
    ReminderKind(
        code="protected_time_submitted",
        label="A colleague has asked for time to attend a staff group",
        template="facilitation/email/protected_time_submitted",
        essential=True,
        context=_protected_time_context,
    ),
    ReminderKind(
        code="protected_time_decided",
        label="Your line manager has answered your request for time",
        template="facilitation/email/protected_time_decided",
        essential=True,
        context=_protected_time_context,
    ),
    ReminderKind(
        code="protected_time_manager_reminder",
        label="A request for time is still waiting for you",
        template="facilitation/email/protected_time_manager_reminder",
        essential=True,
        context=_protected_time_context,
    ),
    ReminderKind(
        code="protected_time_escalation",
        label="A request for time has not been answered",
        template="facilitation/email/protected_time_escalation",
        essential=True,
        context=_protected_time_context,
    ),
    ReminderKind(
        code="protected_time_first_session_alert",
        label="Time for the first session is not agreed yet",
        template="facilitation/email/protected_time_first_session_alert",
        essential=True,
        urgent=True,
        context=_protected_time_context,
    ),
    ReminderKind(
        code="protected_time_manager_digest",
        label="Requests for time waiting for you this week",
        template="facilitation/email/protected_time_manager_digest",
        essential=True,
        context=_protected_time_context,
    ),
]

for _kind in PROTECTED_TIME_KINDS:
    register(_kind)
