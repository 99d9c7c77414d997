"""Writes that follow session changes into protected-time requests: moved, cancelled and added sessions."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from facilitation.services.protected_time import (
    KIND_SUBMITTED,
    MANAGER_WAITING_KINDS,
    PT,
    Event,
    Line,
    _event,
    _line_label,
    _lock,
    _minutes_for,
    _new_lines,
    _notify_manager,
    _status_from,
    _write,
)
from reminders.services.scheduling import reminders_cancel
from sessions.models import Cohort, GroupSession


@transaction.atomic
def protected_time_sessions_changed(*, group_session: GroupSession, old_starts_at: datetime | None = None) -> int:
    """Bring each request's line for a moved (or cancelled) session up to date; return how many changed.

    A line already decided goes back to waiting and keeps the times it was
    decided on, so the manager sees old and new. Other lines are untouched.
    ``old_starts_at`` is the caller's record of the time before the move; the
    line's own copy (what the manager saw) is what is kept as "previous".
    """
    group_session.refresh_from_db()
    cancelled = group_session.status == GroupSession.Status.CANCELLED
    request_ids = list(
        Line.objects.filter(group_session=group_session)
        .exclude(request__status=PT.Status.WITHDRAWN)
        .values_list("request_id", flat=True)
    )
    changed = 0
    for request in PT.objects.filter(pk__in=request_ids).order_by("pk"):
        locked = _lock(request)
        if locked.status == PT.Status.WITHDRAWN:
            continue
        line = locked.lines.get(group_session=group_session)
        if cancelled:
            line.delete()
            if locked.status != PT.Status.DRAFT:
                status = _status_from(locked.lines.values_list("decision", flat=True))
                waiting = status == PT.Status.SUBMITTED
                _write(locked, status=status, awaiting_since=locked.awaiting_since if waiting else None)
                if not waiting and locked.awaiting_since is None:
                    reminders_cancel(subject=locked, kinds=MANAGER_WAITING_KINDS)
            _event(locked, action=Event.Action.SESSIONS_CHANGED, actor=None, comment=_line_label(group_session))
            changed += 1
            continue
        if line.starts_at == group_session.starts_at and line.ends_at == group_session.ends_at:
            continue
        changed += 1
        fields = ["starts_at", "ends_at", "minutes"]
        # Keep the times last decided on (or first asked about, for a line still waiting).
        if locked.status != PT.Status.DRAFT and (
            line.decision != Line.Decision.PENDING or line.previous_starts_at is None
        ):
            line.previous_starts_at = line.starts_at
            line.previous_ends_at = line.ends_at
            fields += ["previous_starts_at", "previous_ends_at"]
        line.starts_at, line.ends_at = group_session.starts_at, group_session.ends_at
        line.minutes = _minutes_for(group_session)
        back_to_manager = line.decision != Line.Decision.PENDING and locked.status != PT.Status.DRAFT
        if back_to_manager:
            line.previous_decision = line.decision
            line.decision = Line.Decision.PENDING
            line.decided_at = None
            line.decided_by = None
            fields += ["previous_decision", "decision", "decided_at", "decided_by"]
        line.save(update_fields=fields)
        if back_to_manager:
            _write(locked, status=PT.Status.SUBMITTED, cycle=locked.cycle + 1, awaiting_since=timezone.now())
            _notify_manager(locked, kind=KIND_SUBMITTED, occurrence=f"cycle-{locked.cycle}")
        else:
            _write(locked)
        _event(locked, action=Event.Action.SESSIONS_CHANGED, actor=None, lines=[line])
    return changed


@transaction.atomic
def protected_time_add_sessions(*, cohort: Cohort) -> int:
    """Add lines for sessions scheduled later (boosters) to every live request of ``cohort``; return how many."""
    sessions = list(cohort.group_sessions.exclude(status=GroupSession.Status.CANCELLED).order_by("starts_at"))
    added_total = 0
    for request in PT.objects.filter(enrolment__cohort=cohort).exclude(status=PT.Status.WITHDRAWN).order_by("pk"):
        locked = _lock(request)
        if locked.status == PT.Status.WITHDRAWN:
            continue
        added = _new_lines(locked, sessions)
        if not added:
            continue
        added_total += len(added)
        if locked.status in (PT.Status.DRAFT, PT.Status.SUBMITTED):
            _write(locked)
        else:
            _write(locked, status=PT.Status.SUBMITTED, cycle=locked.cycle + 1, awaiting_since=timezone.now())
            _notify_manager(locked, kind=KIND_SUBMITTED, occurrence=f"cycle-{locked.cycle}")
        _event(locked, action=Event.Action.SESSIONS_ADDED, actor=None, lines=added)
    return added_total
