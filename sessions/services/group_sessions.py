"""Writes for one dated group session: move, cancel, mark held, group notes."""

from __future__ import annotations

from datetime import date, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import page_cache
from core.errors import DomainError, NotAllowed
from core.services import audit_change_record
from reminders.services.scheduling import reminders_cancel
from sessions.listeners import emit
from sessions.models import (
    GroupSession,
)
from sessions.scheduling import (
    FOLLOWS_EARLIER_MOVE,
    blocked_reason,
    session_times,
)
from sessions.selectors.cohorts import closures_by_date
from sessions.services.boosters import boosters_schedule
from sessions.services.joining import waitlist_closed_notify
from sessions.services.session_reminders import (
    SESSION_REMINDER_KINDS,
    session_change_notify,
    session_reminders_reschedule,
)


def _check_editable(group_session: GroupSession) -> None:
    if group_session.status != GroupSession.Status.SCHEDULED:
        raise NotAllowed(_("Only a session that is still scheduled can be moved or cancelled."))


@transaction.atomic
def group_session_reschedule(
    *, group_session: GroupSession, local_date: date, start_time: time | None = None, reason: str, by: User
) -> GroupSession:
    """Move one session (or put a moved one back) and tell the participants; listeners hear ``session_changed``.

    Keeping a week on its planned date also brings back the weeks that only moved to make room for it.
    """
    group_session = _group_session_move(
        group_session=group_session, local_date=local_date, start_time=start_time, reason=reason
    )
    if group_session.local_date == group_session.planned_date and start_time is None:
        _knock_on_moves_undo(group_session)
    return group_session


def _group_session_move(
    *, group_session: GroupSession, local_date: date, start_time: time | None = None, reason: str
) -> GroupSession:
    """Move one session to another local date (and time): raise SEQUENCE, move its reminders, tell everyone."""
    group_session = GroupSession.objects.select_for_update().select_related("cohort").get(pk=group_session.pk)
    _check_editable(group_session)
    cohort = group_session.cohort
    clash = (
        GroupSession.objects.filter(cohort=cohort, local_date=local_date)
        .exclude(pk=group_session.pk)
        .exclude(status=GroupSession.Status.CANCELLED)
    )
    if clash.exists():
        raise DomainError(_("The group already meets on that date. Choose another date."), field="local_date")
    if local_date < timezone.localdate():
        raise DomainError(_("That date is in the past. Choose today or a later date."), field="local_date")
    old_starts_at = group_session.starts_at
    starts, ends = session_times(
        local_date, start_time or cohort.start_time, cohort.time_zone, minutes=cohort.session_minutes
    )
    group_session.local_date = local_date
    group_session.starts_at = starts
    group_session.ends_at = ends
    group_session.moved_reason = reason if local_date != group_session.planned_date or start_time else ""
    group_session.sequence += 1
    group_session.save(update_fields=["local_date", "starts_at", "ends_at", "moved_reason", "sequence", "updated_at"])
    session_reminders_reschedule(group_session=group_session)
    session_change_notify(group_session=group_session)
    emit("session_changed", group_session=group_session, old_starts_at=old_starts_at)
    page_cache.bump(page_cache.cohort(group_session.cohort_id))
    return group_session


def _knock_on_moves_undo(group_session: GroupSession) -> None:
    """A week kept on its planned date: the weeks that only moved to make room for it go back too.

    They go back in order while each one's planned date is free (not a bank holiday,
    closure or another session's date, and not in the past); each is a change the group is told about.
    """
    if group_session.kind != GroupSession.Kind.WEEKLY:
        return
    cohort = group_session.cohort
    followers = GroupSession.objects.filter(
        cohort=cohort,
        kind=GroupSession.Kind.WEEKLY,
        status=GroupSession.Status.SCHEDULED,
        number__gt=group_session.number,
    ).order_by("number")
    closures = closures_by_date()
    for follower in followers:
        if follower.moved_reason != FOLLOWS_EARLIER_MOVE or follower.local_date == follower.planned_date:
            break
        target = follower.planned_date
        taken = (
            GroupSession.objects.filter(cohort=cohort, local_date=target)
            .exclude(status=GroupSession.Status.CANCELLED)
            .exists()
        )
        blocked = blocked_reason(target, region=cohort.holiday_region, closures=closures)
        if taken or blocked or target < timezone.localdate():
            break
        _group_session_move(group_session=follower, local_date=target, reason="")


@transaction.atomic
def group_session_cancel(*, group_session: GroupSession, reason: str, by: User) -> GroupSession:
    """Cancel one session with a reason and tell the participants; listeners hear ``session_changed``."""
    group_session = GroupSession.objects.select_for_update().get(pk=group_session.pk)
    _check_editable(group_session)
    if not reason.strip():
        raise DomainError(_("Say why the session is cancelled; participants will see it."), field="reason")
    old_starts_at = group_session.starts_at
    group_session.status = GroupSession.Status.CANCELLED
    group_session.cancel_reason = reason.strip()
    group_session.sequence += 1
    group_session.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    reminders_cancel(subject=group_session, kinds=SESSION_REMINDER_KINDS)
    session_change_notify(group_session=group_session)
    emit("session_changed", group_session=group_session, old_starts_at=old_starts_at)
    page_cache.bump(page_cache.cohort(group_session.cohort_id))
    return group_session


@transaction.atomic
def group_session_hold(*, group_session: GroupSession, by: User) -> GroupSession:
    """Mark the session as held (that releases its week's after-session materials).

    After the last weekly session the boosters are settled from its date and
    listeners hear ``boosters_settled`` (protected time asks for their hours).
    """
    group_session = (
        GroupSession.objects.select_for_update().select_related("cohort__programme").get(pk=group_session.pk)
    )
    if group_session.status == GroupSession.Status.HELD:
        return group_session
    if group_session.status == GroupSession.Status.CANCELLED:
        raise NotAllowed(_("A cancelled session cannot be marked as held."))
    if group_session.starts_at > timezone.now():
        raise NotAllowed(_("This session has not started yet. Mark it as held once it has taken place."))
    group_session.status = GroupSession.Status.HELD
    group_session.held_at = timezone.now()
    group_session.save(update_fields=["status", "held_at", "updated_at"])
    cohort = group_session.cohort
    closes_at = cohort.programme.join_closes_after_week
    if group_session.kind == GroupSession.Kind.WEEKLY and closes_at is not None and group_session.number >= closes_at:
        # The group is closed to newcomers now: the waitlist hears (once) that a later group will be offered.
        waitlist_closed_notify(cohort=cohort)
    if is_last_weekly_session(group_session=group_session):
        boosters = boosters_schedule(cohort=group_session.cohort)
        emit("boosters_settled", cohort=group_session.cohort, boosters=boosters)
    page_cache.bump(page_cache.cohort(group_session.cohort_id))
    return group_session


def is_last_weekly_session(*, group_session: GroupSession) -> bool:
    """Whether this is the cohort's last weekly session that is not cancelled (boosters are planned from its date)."""
    if group_session.kind != GroupSession.Kind.WEEKLY:
        return False
    last = (
        GroupSession.objects.filter(cohort_id=group_session.cohort_id, kind=GroupSession.Kind.WEEKLY)
        .exclude(status=GroupSession.Status.CANCELLED)
        .order_by("-local_date")
        .values_list("pk", flat=True)
        .first()
    )
    return last == group_session.pk


@transaction.atomic
def group_notes_update(*, group_session: GroupSession, notes: str, by: User) -> GroupSession:
    if len(notes) > 2000:
        raise DomainError(_("Keep group notes under 2,000 characters: themes, not a transcript."), field="notes")
    group_session.group_notes = notes
    group_session.save(update_fields=["group_notes", "updated_at"])
    audit_change_record(actor=by, record=group_session, action="notes_changed")
    page_cache.bump(page_cache.cohort(group_session.cohort_id))
    return group_session
