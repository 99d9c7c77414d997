"""Reminders about group sessions: lead-time reminders for each place, and notices when a session changes."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from programmes.models import SessionPlan
from reminders.cancelling import reminders_cancel_many
from reminders.models import Reminder
from reminders.services.scheduling import reminder_schedule, reminders_for
from sessions.models import (
    Enrolment,
    GroupSession,
)

SESSION_REMINDER_KINDS = ("session_tomorrow", "session_in_an_hour", "heavy_week_note")


def session_reminders_schedule(*, enrolment: Enrolment) -> int:
    """Write the lead-time reminders for each upcoming session of the enrolment's cohort.

    A high-intensity session also gets the heavy-week note, two days before (you may pass or watch,
    how to reach a facilitator, the crisis contacts).
    """
    now = timezone.now()
    leads = settings.STEADY_REMINDER_LEAD_TIMES
    kinds = ["session_tomorrow"] + (["session_in_an_hour"] if enrolment.remind_hour_before else [])
    written = 0
    upcoming = GroupSession.objects.filter(
        cohort_id=enrolment.cohort_id, status=GroupSession.Status.SCHEDULED, starts_at__gt=now
    ).select_related("session_plan")
    for group_session in upcoming:
        heavy = group_session.session_plan.intensity == SessionPlan.Intensity.HIGH
        for kind in kinds + (["heavy_week_note"] if heavy else []):
            due = group_session.starts_at - leads[kind]
            if due > now:
                reminder_schedule(kind=kind, recipient=enrolment.participant, subject=group_session, due_at=due)
                written += 1
    return written


def session_reminders_reschedule(*, group_session: GroupSession) -> int:
    """Move the session's pending lead-time reminders to the new start; return how many."""
    moved = 0
    pending = reminders_for(group_session, kinds=SESSION_REMINDER_KINDS).filter(status=Reminder.Status.PENDING)
    for reminder in pending.select_related("recipient"):
        lead = settings.STEADY_REMINDER_LEAD_TIMES[reminder.kind]
        reminder_schedule(
            kind=reminder.kind,
            recipient=reminder.recipient,
            subject=group_session,
            occurrence=reminder.occurrence,
            due_at=group_session.starts_at - lead,
        )
        moved += 1
    return moved


def session_change_notify(*, group_session: GroupSession) -> int:
    """Tell every enrolled participant at once (urgent reminder, one per change)."""
    now = timezone.now()
    participants = User.objects.filter(
        enrolments__cohort_id=group_session.cohort_id, enrolments__status=Enrolment.Status.ENROLLED
    )
    count = 0
    for participant in participants:
        reminder_schedule(
            kind="session_changed",
            recipient=participant,
            subject=group_session,
            due_at=now,
            occurrence=f"sequence-{group_session.sequence}",
        )
        count += 1
    return count


def session_reminders_cancel_for(*, enrolment: Enrolment, kinds: Iterable[str] | None = None) -> int:
    """Cancel the participant's pending reminders (of ``kinds``, or all) about their cohort's sessions."""
    session_ids = GroupSession.objects.filter(cohort_id=enrolment.cohort_id).values_list("pk", flat=True)
    return reminders_cancel_many(
        model=GroupSession, subject_ids=session_ids, kinds=kinds, recipient=enrolment.participant
    )
