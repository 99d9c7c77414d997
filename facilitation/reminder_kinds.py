"""Reminder kinds about enrolment. Rows are written by ``facilitation.services``."""

from __future__ import annotations

from typing import Any

from core.links import absolute_url
from facilitation.models import ProtectedTimeRequest
from reminders.registry import ReminderKind, register
from reminders.samples import sample_context

# --- Protected time -----------------------------------------------------------


def _protected_time_sample() -> dict[str, Any]:
    """Preview context: the shared neutral values plus a decided request's status."""
    return {**sample_context(), "status": ProtectedTimeRequest.Status.APPROVED.label}


def _protected_time_context(reminder: Any) -> dict[str, Any]:
    """The row's own context (names, counts, neutral label, link) plus the site address."""
    return {**(reminder.context or {}), "site_url": absolute_url("/").rstrip("/"), "recipient": reminder.recipient}


PROTECTED_TIME_KINDS = [
    ReminderKind(
        code="protected_time_submitted",
        audience=("manager",),
        sample=_protected_time_sample,
        label="A colleague has asked for time to attend a staff group",
        template="facilitation/email/protected_time_submitted",
        essential=True,
        context=_protected_time_context,
    ),
    ReminderKind(
        code="protected_time_decided",
        audience=("participant",),
        sample=_protected_time_sample,
        label="Your line manager has answered your request for time",
        template="facilitation/email/protected_time_decided",
        essential=True,
        context=_protected_time_context,
    ),
    ReminderKind(
        code="protected_time_manager_reminder",
        audience=("manager",),
        sample=_protected_time_sample,
        label="A request for time is still waiting for you",
        template="facilitation/email/protected_time_manager_reminder",
        essential=True,
        context=_protected_time_context,
    ),
    ReminderKind(
        code="protected_time_escalation",
        audience=("facilitator", "service_lead"),
        sample=_protected_time_sample,
        label="A request for time has not been answered",
        template="facilitation/email/protected_time_escalation",
        essential=True,
        context=_protected_time_context,
    ),
    ReminderKind(
        code="protected_time_first_session_alert",
        audience=("participant", "facilitator"),
        sample=_protected_time_sample,
        label="Time for the first session is not agreed yet",
        template="facilitation/email/protected_time_first_session_alert",
        essential=True,
        urgent=True,
        context=_protected_time_context,
    ),
    ReminderKind(
        code="protected_time_manager_digest",
        audience=("manager",),
        sample=_protected_time_sample,
        label="Requests for time waiting for you this week",
        template="facilitation/email/protected_time_manager_digest",
        essential=True,
        context=_protected_time_context,
    ),
]

for _kind in PROTECTED_TIME_KINDS:
    register(_kind)
