"""Writes for booster sessions: scheduling them after the last weekly session, and their reminders."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import page_cache
from core.errors import DomainError
from programmes.models import SessionPlan
from reminders.cancelling import reminders_cancel_many
from reminders.services.scheduling import reminder_schedule, reminders_cancel
from sessions.models import (
    Cohort,
    Enrolment,
    GroupSession,
)
from sessions.scheduling import (
    local_when,
    session_times,
    weekly_dates,
)
from sessions.selectors.cohorts import closures_by_date


@transaction.atomic
def boosters_schedule(*, cohort: Cohort) -> list[GroupSession]:
    """Create or move the cohort's booster sessions; return them. Idempotent.

    Each booster falls ``programme.booster_offsets_weeks[n]`` weeks after the
    last weekly session's local date, at the cohort's usual local time (so it
    keeps 13:00 across daylight-saving changes), moved a week on from a bank
    holiday or closure. Call it when the cohort is created (as a plan) and when
    the last weekly session is held (its date may have moved); a booster that is
    held or cancelled, or that a facilitator moved while its planned date still
    stands, is left alone.
    """
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    offsets = sorted({int(weeks) for weeks in cohort.programme.booster_offsets_weeks or []})
    weekly = list(
        cohort.group_sessions.filter(kind=GroupSession.Kind.WEEKLY)
        .exclude(status=GroupSession.Status.CANCELLED)
        .order_by("local_date")
        .values_list("local_date", flat=True)
    )
    if not offsets or not weekly:
        return []
    plans = {
        plan.number: plan
        for plan in SessionPlan.objects.filter(programme=cohort.programme, kind=SessionPlan.Kind.BOOSTER)
    }
    missing = [number for number in range(1, len(offsets) + 1) if number not in plans]
    if missing:
        raise DomainError(
            _("The programme has no plan for booster %(number)s; add a booster plan first.") % {"number": missing[0]}
        )
    existing = {session.number: session for session in cohort.group_sessions.filter(kind=GroupSession.Kind.BOOSTER)}
    closures = closures_by_date()
    taken = set(weekly)
    boosters: list[GroupSession] = []
    for number, weeks in enumerate(offsets, start=1):
        first = weekly[-1] + timedelta(weeks=weeks)
        [(planned, actual, why)] = weekly_dates(first, 1, region=cohort.holiday_region, closures=closures, taken=taken)
        taken.add(actual)
        starts, ends = session_times(actual, cohort.start_time, cohort.time_zone, minutes=cohort.session_minutes)
        session = existing.get(number)
        if session is None:
            session = GroupSession.objects.create(
                cohort=cohort,
                session_plan=plans[number],
                kind=GroupSession.Kind.BOOSTER,
                number=number,
                planned_date=planned,
                local_date=actual,
                starts_at=starts,
                ends_at=ends,
                moved_reason=why,
            )
        elif session.status == GroupSession.Status.SCHEDULED and session.planned_date != planned:
            # Only a change of the last weekly date moves a booster: one the facilitator moved stays put.
            session.planned_date, session.local_date, session.moved_reason = planned, actual, why
            session.starts_at, session.ends_at = starts, ends
            session.sequence += 1
            reminders_cancel(subject=session, kinds=["booster_next_week"])
            session.save(
                update_fields=[
                    "planned_date",
                    "local_date",
                    "moved_reason",
                    "starts_at",
                    "ends_at",
                    "sequence",
                    "updated_at",
                ]
            )
        boosters.append(session)
    booster_reminders_schedule(cohort=cohort)
    page_cache.bump(page_cache.cohort(cohort.pk))
    return boosters


@transaction.atomic
def booster_reminders_schedule(*, cohort: Cohort) -> int:
    """Write ``booster_next_week`` reminders for the cohort's enrolled and completed participants; return how many.

    Pending ones for anyone else (a participant who withdrew) are cancelled, so
    call it again after a place is confirmed, completed or withdrawn.
    """
    now = timezone.now()
    lead = settings.STEADY_REMINDER_LEAD_TIMES["booster_next_week"]
    people = list(
        get_user_model().objects.filter(enrolments__cohort=cohort, enrolments__status__in=Enrolment.PLACE_STATUSES)
    )
    boosters = list(
        cohort.group_sessions.filter(
            kind=GroupSession.Kind.BOOSTER, status=GroupSession.Status.SCHEDULED, starts_at__gt=now
        ).select_related("cohort__programme")
    )
    written = 0
    for booster in boosters:
        reminders_cancel_many(
            model=GroupSession, subject_ids=[booster.pk], kinds=["booster_next_week"], exclude_recipients=people
        )
        for person in people:
            reminder_schedule(
                kind="booster_next_week",
                recipient=person,
                subject=booster,
                due_at=max(booster.starts_at - lead, now),
                occurrence=booster.local_date.isoformat(),
                context={
                    "when": local_when(booster.starts_at, cohort.time_zone),
                    "label": booster.cohort.programme.neutral_label,
                },
            )
            written += 1
    return written
