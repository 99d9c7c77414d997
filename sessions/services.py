"""Writes for cohorts, their group sessions, attendance and calendar feeds.

Who is told about a change (the enrolled participants) is facilitation's
business: ``facilitation.services`` wraps ``group_session_move`` and
``group_session_cancel`` and writes the ``session_changed`` reminders.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError, NotAllowed
from programmes.models import Programme, SessionPlan
from reminders.models import Reminder
from reminders.services import reminder_schedule, reminders_cancel, reminders_for
from sessions.models import Attendance, CalendarFeed, ClosureDate, Cohort, GroupSession
from sessions.scheduling import local_to_utc, weekly_dates

SESSION_REMINDER_KINDS = ("session_tomorrow", "session_in_an_hour")

STATUS_TRANSITIONS: dict[str, set[str]] = {
    Cohort.Status.PLANNING: {Cohort.Status.RECRUITING, Cohort.Status.CANCELLED},
    Cohort.Status.RECRUITING: {Cohort.Status.PLANNING, Cohort.Status.RUNNING, Cohort.Status.CANCELLED},
    Cohort.Status.RUNNING: {Cohort.Status.COMPLETED, Cohort.Status.CANCELLED},
    Cohort.Status.COMPLETED: set(),
    Cohort.Status.CANCELLED: set(),
}


def closures_by_date() -> dict[date, str]:
    return dict(ClosureDate.objects.values_list("date", "description"))


def _session_times(cohort: Cohort, local_date: date, start_time: time | None = None) -> tuple[datetime, datetime]:
    starts = local_to_utc(local_date, start_time or cohort.start_time, cohort.time_zone)
    return starts, starts + timedelta(minutes=cohort.session_minutes)


@transaction.atomic
def cohort_create(
    *,
    programme: Programme,
    name: str,
    facilitators: Sequence[User],
    start_date: date,
    start_time: time,
    time_zone: str,
    holiday_region: str,
    capacity: int | None = None,
    session_minutes: int | None = None,
    venue: str = "",
    video_link: str = "",
    status: str = Cohort.Status.PLANNING,
    by: User,
    allow_past_start: bool = False,
) -> Cohort:
    """Create a cohort and its weekly sessions, one per weekly plan, moving blocked weeks on."""
    if programme.status != Programme.Status.PUBLISHED:
        raise NotAllowed(_("Only a published programme can be used for a cohort."), field="programme")
    if not 1 <= len(facilitators) <= 3:
        raise DomainError(_("Choose one, two or three facilitators."), field="facilitators")
    capacity = capacity or programme.default_capacity
    if capacity > programme.max_capacity:
        raise DomainError(
            _("This programme allows at most %(max)d places. Enter %(max)d or fewer.")
            % {"max": programme.max_capacity},
            field="capacity",
        )
    if not allow_past_start and start_date < timezone.localdate():
        raise DomainError(_("The first session date is in the past. Choose today or a later date."), field="start_date")
    if video_link and not video_link.startswith("https://"):
        raise DomainError(_("Use a secure video link that starts with https://."), field="video_link")
    plans = list(SessionPlan.objects.filter(programme=programme, kind=SessionPlan.Kind.WEEKLY).order_by("number"))
    if not plans:
        raise NotAllowed(_("This programme has no weekly session plans yet."), field="programme")
    cohort = Cohort.objects.create(
        programme=programme,
        name=name,
        start_date=start_date,
        weekday=start_date.weekday(),
        start_time=start_time,
        session_minutes=session_minutes or programme.session_minutes,
        time_zone=time_zone,
        holiday_region=holiday_region,
        venue=venue,
        video_link=video_link,
        capacity=capacity,
        status=status,
        created_by=by,
    )
    cohort.facilitators.set(facilitators)
    dates = weekly_dates(start_date, len(plans), region=holiday_region, closures=closures_by_date())
    rows = []
    for plan, (planned, actual, why) in zip(plans, dates, strict=True):
        starts, ends = _session_times(cohort, actual)
        rows.append(
            GroupSession(
                cohort=cohort,
                session_plan=plan,
                kind=GroupSession.Kind.WEEKLY,
                number=plan.number,
                planned_date=planned,
                local_date=actual,
                starts_at=starts,
                ends_at=ends,
                moved_reason=why,
            )
        )
    GroupSession.objects.bulk_create(rows)
    return cohort


@transaction.atomic
def cohort_status_set(*, cohort: Cohort, status: str, by: User) -> Cohort:
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if status not in STATUS_TRANSITIONS[cohort.status]:
        raise NotAllowed(
            _("A cohort that is %(now)s cannot become %(next)s.")
            % {"now": cohort.get_status_display(), "next": Cohort.Status(status).label}
        )
    cohort.status = status
    cohort.save(update_fields=["status", "updated_at"])
    if status == Cohort.Status.CANCELLED:
        _cancel_remaining_sessions(cohort)
    return cohort


def _cancel_remaining_sessions(cohort: Cohort) -> None:
    """A cancelled cohort's scheduled sessions show as cancelled in every calendar."""
    remaining = GroupSession.objects.filter(cohort=cohort, status=GroupSession.Status.SCHEDULED)
    ids = [str(pk) for pk in remaining.values_list("pk", flat=True)]
    remaining.update(
        status=GroupSession.Status.CANCELLED,
        cancel_reason=_("The group was cancelled."),
        sequence=models.F("sequence") + 1,
        updated_at=timezone.now(),
    )
    Reminder.objects.filter(
        subject_type=GroupSession._meta.label_lower, subject_id__in=ids, status=Reminder.Status.PENDING
    ).update(status=Reminder.Status.CANCELLED)


def _check_editable(group_session: GroupSession) -> None:
    if group_session.status != GroupSession.Status.SCHEDULED:
        raise NotAllowed(_("Only a session that is still scheduled can be moved or cancelled."))


@transaction.atomic
def group_session_move(
    *, group_session: GroupSession, local_date: date, start_time: time | None = None, reason: str, by: User
) -> GroupSession:
    """Move one session to another local date (and time); raise SEQUENCE and move its pending reminders."""
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
    starts, ends = _session_times(cohort, local_date, start_time)
    group_session.local_date = local_date
    group_session.starts_at = starts
    group_session.ends_at = ends
    group_session.moved_reason = reason if local_date != group_session.planned_date or start_time else ""
    group_session.sequence += 1
    group_session.save(update_fields=["local_date", "starts_at", "ends_at", "moved_reason", "sequence", "updated_at"])
    session_reminders_reschedule(group_session=group_session)
    return group_session


def session_reminders_reschedule(*, group_session: GroupSession) -> int:
    """Move the session's pending lead-time reminders to the new start; return how many."""
    from django.conf import settings

    moved = 0
    pending = reminders_for(group_session, kinds=SESSION_REMINDER_KINDS).filter(status="pending")
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


@transaction.atomic
def group_session_cancel(*, group_session: GroupSession, reason: str, by: User) -> GroupSession:
    group_session = GroupSession.objects.select_for_update().get(pk=group_session.pk)
    _check_editable(group_session)
    if not reason.strip():
        raise DomainError(_("Say why the session is cancelled; participants will see it."), field="reason")
    group_session.status = GroupSession.Status.CANCELLED
    group_session.cancel_reason = reason.strip()
    group_session.sequence += 1
    group_session.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    reminders_cancel(subject=group_session, kinds=SESSION_REMINDER_KINDS)
    return group_session


@transaction.atomic
def group_session_hold(*, group_session: GroupSession, by: User) -> GroupSession:
    """Mark the session as held; that releases its week's after-session materials."""
    group_session = GroupSession.objects.select_for_update().get(pk=group_session.pk)
    if group_session.status == GroupSession.Status.HELD:
        return group_session
    if group_session.status == GroupSession.Status.CANCELLED:
        raise NotAllowed(_("A cancelled session cannot be marked as held."))
    if group_session.starts_at > timezone.now():
        raise NotAllowed(_("This session has not started yet. Mark it as held once it has taken place."))
    group_session.status = GroupSession.Status.HELD
    group_session.held_at = timezone.now()
    group_session.save(update_fields=["status", "held_at", "updated_at"])
    return group_session


@transaction.atomic
def group_notes_update(*, group_session: GroupSession, notes: str, by: User) -> GroupSession:
    if len(notes) > 2000:
        raise DomainError(_("Keep group notes under 2,000 characters: themes, not a transcript."), field="notes")
    group_session.group_notes = notes
    group_session.save(update_fields=["group_notes", "updated_at"])
    return group_session


@transaction.atomic
def attendance_record(
    *, group_session: GroupSession, participant: User, status: str, by: User, note: str | None = None
) -> Attendance:
    """Record (or change) one participant's attendance at one session."""
    if status not in Attendance.Status.values:
        raise DomainError(_("Choose present, late, left early, sent apologies or absent."), field="status")
    if group_session.status == GroupSession.Status.CANCELLED:
        raise NotAllowed(_("This session was cancelled, so there is no register to keep."))
    defaults: dict[str, object] = {"status": status, "recorded_by": by}
    if note is not None:
        defaults["note"] = note
    attendance, _created = Attendance.objects.update_or_create(
        group_session=group_session, participant=participant, defaults=defaults
    )
    return attendance


@transaction.atomic
def calendar_feed_ensure(*, user: User) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        feed = CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))
    return feed


@transaction.atomic
def calendar_feed_rotate(*, user: User) -> CalendarFeed:
    """Give the user a new secret address; the old one stops working at once."""
    feed = calendar_feed_ensure(user=user)
    feed.token = secrets.token_urlsafe(32)
    feed.rotated_at = timezone.now()
    feed.save(update_fields=["token", "rotated_at"])
    return feed
