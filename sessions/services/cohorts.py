"""Writes for cohorts: creating one with its weekly sessions, changing, cancelling and completing it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import page_cache
from core.errors import DomainError, NotAllowed
from core.services import people_relation_changes_record
from programmes.models import Programme, SessionPlan
from reminders.cancelling import reminders_cancel_many
from sessions.listeners import emit
from sessions.models import (
    Cohort,
    Enrolment,
    GroupSession,
)
from sessions.scheduling import (
    session_times,
    weekly_dates,
)
from sessions.selectors.cohorts import closures_by_date
from sessions.services.boosters import booster_reminders_schedule, boosters_schedule
from sessions.services.enrolments import waitlist_promote
from sessions.services.session_reminders import session_change_notify


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
    if not SessionPlan.objects.filter(programme=programme, kind=SessionPlan.Kind.WEEKLY).exists():
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
    group_sessions_create_weekly(cohort=cohort, closures=closures_by_date())
    # Boosters are planned from the start, so they appear in calendars and protected-time requests.
    boosters_schedule(cohort=cohort)
    # Each facilitator's home lists their cohorts.
    page_cache.bump(*(page_cache.person(user.pk) for user in facilitators))
    return cohort


def group_sessions_create_weekly(*, cohort: Cohort, closures: dict[date, str]) -> list[GroupSession]:
    """Create the cohort's weekly sessions, one per weekly plan, from its start date; return them.

    The one place weekly sessions are built (cohort creation, the demo and the test factories use it):
    a week on a bank holiday of ``cohort.holiday_region`` or a date in ``closures`` moves on a week,
    and later weeks follow. Times are the cohort's local start time in its time zone.
    """
    plans = list(
        SessionPlan.objects.filter(programme_id=cohort.programme_id, kind=SessionPlan.Kind.WEEKLY).order_by("number")
    )
    dates = weekly_dates(cohort.start_date, len(plans), region=cohort.holiday_region, closures=closures)
    rows = []
    for plan, (planned, actual, why) in zip(plans, dates, strict=True):
        starts, ends = session_times(actual, cohort.start_time, cohort.time_zone, minutes=cohort.session_minutes)
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
    return GroupSession.objects.bulk_create(rows)


def _cohort_status_set(*, cohort: Cohort, status: str) -> Cohort:
    """Move the cohort along ``Cohort.STATUS_TRANSITIONS`` (callers hold the transaction)."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if status not in Cohort.STATUS_TRANSITIONS[cohort.status]:
        raise NotAllowed(
            _("A cohort that is %(now)s cannot become %(next)s.")
            % {"now": cohort.get_status_display(), "next": Cohort.Status(status).label}
        )
    cohort.status = status
    cohort.save(update_fields=["status", "updated_at"])
    if status == Cohort.Status.CANCELLED:
        _cancel_remaining_sessions(cohort)
    page_cache.bump(page_cache.cohort(cohort.pk))
    return cohort


def _cancel_remaining_sessions(cohort: Cohort) -> None:
    """A cancelled cohort's scheduled sessions show as cancelled in every calendar."""
    remaining = GroupSession.objects.filter(cohort=cohort, status=GroupSession.Status.SCHEDULED)
    ids = list(remaining.values_list("pk", flat=True))
    remaining.update(
        status=GroupSession.Status.CANCELLED,
        cancel_reason=_("The group was cancelled."),
        sequence=models.F("sequence") + 1,
        updated_at=timezone.now(),
    )
    reminders_cancel_many(model=GroupSession, subject_ids=ids)


@transaction.atomic
def cohort_status_change(*, cohort: Cohort, status: str, by: User) -> Cohort:
    """Change the cohort's status: the one entry point for every status change.

    Cancelling goes through ``cohort_cancel`` (sessions, listeners, one notice);
    completing through ``enrolments_complete`` (places completed, boosters' reminders).
    """
    if status == Cohort.Status.CANCELLED:
        return cohort_cancel(cohort=cohort, by=by)
    if status == Cohort.Status.COMPLETED:
        enrolments_complete(cohort=cohort, by=by)
        cohort.refresh_from_db()
        return cohort
    return _cohort_status_set(cohort=cohort, status=status)


@transaction.atomic
def cohort_cancel(*, cohort: Cohort, by: User) -> Cohort:
    """Cancel the whole cohort: its sessions, tell the group once, and let listeners follow (``cohort_cancelled``).

    The notice is the ``session_changed`` one for the next session ("will not take place: the group was
    cancelled"), so each participant hears once, not once per remaining session.
    """
    now = timezone.now()
    next_session = (
        GroupSession.objects.filter(cohort=cohort, status=GroupSession.Status.SCHEDULED, ends_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    cohort = _cohort_status_set(cohort=cohort, status=Cohort.Status.CANCELLED)
    if next_session is not None:
        next_session.refresh_from_db()
        session_change_notify(group_session=next_session)
    emit("cohort_cancelled", cohort=cohort, by=by)
    page_cache.bump(page_cache.cohort(cohort.pk))
    return cohort


@transaction.atomic
def cohort_update(
    *,
    cohort: Cohort,
    name: str,
    venue: str,
    video_link: str,
    capacity: int,
    facilitators: list[User],
    by: User,
) -> Cohort:
    """Change a cohort's name, place, size or facilitators; calendars see the new place."""
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    if cohort.status in Cohort.ENDED_STATUSES:
        raise NotAllowed(_("A completed or cancelled cohort cannot be changed."))
    if not 1 <= len(facilitators) <= 3:
        raise DomainError(_("Choose one, two or three facilitators."), field="facilitators")
    if capacity > cohort.programme.max_capacity:
        raise DomainError(
            _("This programme allows at most %(max)d places. Enter %(max)d or fewer.")
            % {"max": cohort.programme.max_capacity},
            field="capacity",
        )
    taken = Enrolment.objects.filter(cohort=cohort, place_number__isnull=False).count()
    if capacity < taken:
        raise DomainError(
            _("%(taken)d places are already confirmed. Enter %(taken)d or more, or withdraw a place first.")
            % {"taken": taken},
            field="capacity",
        )
    if video_link and not video_link.startswith("https://"):
        raise DomainError(_("Use a secure video link that starts with https://."), field="video_link")
    if not venue and not video_link:
        raise DomainError(_("Enter a venue, a video link, or both, so people know where to go."), field="venue")
    where_changed = (venue, video_link) != (cohort.venue, cohort.video_link)
    grew = capacity > cohort.capacity
    cohort.name, cohort.venue, cohort.video_link, cohort.capacity = name, venue, video_link, capacity
    cohort.save(update_fields=["name", "venue", "video_link", "capacity", "updated_at"])
    before = list(cohort.facilitators.all())
    cohort.facilitators.set(facilitators)
    people_relation_changes_record(actor=by, record=cohort, relation="facilitators", before=before, after=facilitators)
    if where_changed:
        # The calendar LOCATION changed: raise SEQUENCE so calendar apps take the new version.
        GroupSession.objects.filter(
            cohort=cohort, status=GroupSession.Status.SCHEDULED, starts_at__gt=timezone.now()
        ).update(sequence=F("sequence") + 1, updated_at=timezone.now())
    if grew:
        for _place in range(capacity - taken):
            if waitlist_promote(cohort=cohort, by=by) is None:
                break
    # Facilitators who joined or left: their homes list their cohorts.
    people = {user.pk for user in [*before, *facilitators]}
    page_cache.bump(page_cache.cohort(cohort.pk), *(page_cache.person(pk) for pk in sorted(people)))
    return cohort


@transaction.atomic
def enrolments_complete(*, cohort: Cohort, by: User | None) -> int:
    """End the cohort: every enrolled place becomes completed; return how many."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.status not in (Cohort.Status.RUNNING, Cohort.Status.COMPLETED):
        raise NotAllowed(_("Only a running cohort can be completed."))
    count = Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.ENROLLED).update(
        status=Enrolment.Status.COMPLETED, updated_at=timezone.now()
    )
    if cohort.status != Cohort.Status.COMPLETED:
        cohort.status = Cohort.Status.COMPLETED
        cohort.save(update_fields=["status", "updated_at"])
    booster_reminders_schedule(cohort=cohort)
    page_cache.bump(page_cache.cohort(cohort.pk))
    return count
