"""Writes for tracking: the manager's reminder, the escalation, the first-session alert and the weekly digest.

The three tracking steps are one ladder of core's escalation mechanism
(registered in ``facilitation/escalation_ladders.py``): ``claim`` re-checks
a step under the request's lock, core records the step once, ``act`` writes
the reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.links import absolute_url
from core.services import escalation_step_fire
from core.working_days import add_working_days
from facilitation.models import PROTECTED_TIME_LADDER, ProtectedTimeStep
from facilitation.selectors.protected_time_tracking import protected_time_managers_with_pending
from facilitation.services.protected_time import (
    KIND_DIGEST,
    KIND_ESCALATION,
    KIND_FIRST_SESSION_ALERT,
    KIND_MANAGER_REMINDER,
    PT,
    Line,
    _link,
    _lock,
    _mail_context,
    _notify_manager,
)
from reminders.services.scheduling import reminder_schedule


def _is_due(locked: PT, level: str, now: datetime) -> bool:
    Level = ProtectedTimeStep
    cohort = locked.enrolment.cohort
    if level in (Level.MANAGER_REMINDER, Level.ESCALATION):
        if locked.status != PT.Status.SUBMITTED or locked.awaiting_since is None:
            return False
        days = (
            settings.STEADY_PROTECTED_TIME_REMIND_AFTER_WORKING_DAYS
            if level == Level.MANAGER_REMINDER
            else settings.STEADY_PROTECTED_TIME_ESCALATE_AFTER_WORKING_DAYS
        )
        return now >= add_working_days(
            instant=locked.awaiting_since, days=days, region=cohort.holiday_region, time_zone=cohort.time_zone
        )
    if level == Level.FIRST_SESSION_ALERT:
        if locked.status == PT.Status.WITHDRAWN:
            return False
        first = locked.lines.order_by("starts_at").first()
        window = timedelta(hours=settings.STEADY_PROTECTED_TIME_ALERT_HOURS)
        return bool(first and now < first.starts_at <= now + window and first.decision != Line.Decision.APPROVED)
    return False


def protected_time_step_claim(request_id: int, level: str, now: datetime) -> int | None:
    """Lock the request and return the cycle to record if ``level`` is due now, else None (the ladder's claim)."""
    try:
        locked = _lock(PT(pk=request_id))
    except PT.DoesNotExist:
        return None
    if not _is_due(locked, level, now):
        return None
    return 0 if level == ProtectedTimeStep.FIRST_SESSION_ALERT else locked.cycle


def protected_time_step_act(request_id: int, level: str, cycle: int, now: datetime) -> None:
    """Write the reminders of one fired tracking step (the ladder's act; the request is locked already)."""
    Level = ProtectedTimeStep
    locked = _lock(PT(pk=request_id))
    cohort = locked.enrolment.cohort
    participant = locked.enrolment.participant
    facilitators = list(cohort.facilitators.filter(is_active=True))
    context = _mail_context(locked)
    occurrence = f"{level}-{cycle}"
    if level == Level.MANAGER_REMINDER:
        _notify_manager(locked, kind=KIND_MANAGER_REMINDER, occurrence=occurrence)
        return
    if level == Level.ESCALATION:
        leads = list(User.objects.filter(is_service_lead=True, is_active=True))
        manager = participant.line_manager
        for person in {p.pk: p for p in [*facilitators, *leads]}.values():
            reminder_schedule(
                kind=KIND_ESCALATION,
                recipient=person,
                subject=locked,
                due_at=now,
                occurrence=occurrence,
                context={
                    **context,
                    "manager_name": manager.full_name if manager else "",
                    "link": _link("facilitation:protected_time_matrix", cohort.pk),
                },
            )
        return
    first = locked.lines.order_by("starts_at").first()
    for person in [participant, *facilitators]:
        is_participant = person.pk == participant.pk
        reminder_schedule(
            kind=KIND_FIRST_SESSION_ALERT,
            recipient=person,
            subject=locked,
            due_at=now,
            occurrence=occurrence,
            context={
                **context,
                "first_starts_at": first.starts_at.isoformat(),
                "time_zone": cohort.time_zone,
                "for_participant": is_participant,
                "link": (
                    _link("facilitation:protected_time_participant", locked.pk)
                    if is_participant
                    else _link("facilitation:protected_time_matrix", cohort.pk)
                ),
            },
        )


def protected_time_escalation_fire(*, request_id: int, level: str, now: datetime | None = None) -> bool:
    """Fire one tracking step if it is due and has not fired; return whether this call fired it.

    Core's ladder mechanism writes the step's row (unique per request, level
    and cycle) before any reminder, in the same transaction: a second beat or
    a repeated job hits the constraint and sends nothing.
    """
    return escalation_step_fire(ladder=PROTECTED_TIME_LADDER, subject_id=request_id, step=level, now=now)


@transaction.atomic
def protected_time_digest_schedule(*, now: datetime | None = None) -> int:
    """Write this week's digest for each line manager with anything waiting; once per manager and week."""
    now = now or timezone.now()
    year, week, _weekday = timezone.localtime(now).isocalendar()
    count = 0
    for manager in protected_time_managers_with_pending():
        waiting = PT.objects.filter(status=PT.Status.SUBMITTED, enrolment__participant__line_manager=manager).count()
        reminder_schedule(
            kind=KIND_DIGEST,
            recipient=manager,
            subject=manager,
            due_at=now,
            occurrence=f"{year}-W{week:02d}",
            context={
                "waiting_count": waiting,
                "manager_first_name": manager.first_name,
                "link": absolute_url("facilitation:manager_home"),
            },
        )
        count += 1
    return count
