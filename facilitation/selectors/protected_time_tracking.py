"""Reads for tracking protected time: which reminder or escalation is due, who gets a digest."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import User
from core.selectors import escalation_steps_fired
from core.working_days import add_working_days, is_working_day
from facilitation.models import PROTECTED_TIME_LADDER, ProtectedTimeLine, ProtectedTimeStep
from facilitation.selectors.protected_time import AWAITING, DECIDED, PT

__all__ = [
    "add_working_days",
    "protected_time_due_escalations",
    "protected_time_managers_with_pending",
    "working_days_between",
]


def working_days_between(*, start: datetime, end: datetime, region: str, time_zone: str) -> int:
    """Count the working days after ``start``'s local date up to and including ``end``'s.

    The inverse of ``add_working_days`` by the day: asked on Friday, decided on Tuesday is
    2 working days (1 when Monday is a bank holiday); decided the same day is 0.
    """
    zone = zoneinfo.ZoneInfo(time_zone)
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    counted = 0
    while day < last:
        day += timedelta(days=1)
        counted += is_working_day(day, region=region)
    return counted


def protected_time_due_escalations(*, now: datetime | None = None) -> list[tuple[int, str]]:
    """Return (request id, level) pairs whose tracking step is due now and has not fired.

    The ladder's claim re-checks each under a lock; the unique constraint on
    core's EscalationStep is what makes a step fire once.
    """
    now = now or timezone.now()
    remind_days = settings.STEADY_PROTECTED_TIME_REMIND_AFTER_WORKING_DAYS
    escalate_days = settings.STEADY_PROTECTED_TIME_ESCALATE_AFTER_WORKING_DAYS
    alert_window = timedelta(hours=settings.STEADY_PROTECTED_TIME_ALERT_HOURS)
    Level = ProtectedTimeStep
    fired = escalation_steps_fired(
        ladder=PROTECTED_TIME_LADDER,
        subject_ids=PT.objects.filter(status__in=[*AWAITING, *DECIDED]).values("pk"),
    )
    due: list[tuple[int, str]] = []
    # Awaiting a decision for at least the shortest possible working-day gap (a calendar-day prefilter).
    waiting = PT.objects.filter(status__in=AWAITING, awaiting_since__lte=now - timedelta(days=remind_days)).values_list(
        "pk", "cycle", "awaiting_since", "enrolment__cohort__holiday_region", "enrolment__cohort__time_zone"
    )
    for pk, cycle, since, region, tz in waiting:
        if (pk, Level.MANAGER_REMINDER, cycle) not in fired and now >= add_working_days(
            instant=since, days=remind_days, region=region, time_zone=tz
        ):
            due.append((pk, Level.MANAGER_REMINDER))
        if (pk, Level.ESCALATION, cycle) not in fired and now >= add_working_days(
            instant=since, days=escalate_days, region=region, time_zone=tz
        ):
            due.append((pk, Level.ESCALATION))
    # The request's first session starts within the alert window and its time is not approved.
    earlier = ProtectedTimeLine.objects.filter(request_id=OuterRef("request_id"), starts_at__lt=OuterRef("starts_at"))
    soon = (
        ProtectedTimeLine.objects.filter(
            request__status__in=[PT.Status.DRAFT, *AWAITING, *DECIDED],
            starts_at__gt=now,
            starts_at__lte=now + alert_window,
        )
        .exclude(decision=ProtectedTimeLine.Decision.APPROVED)
        .filter(~Exists(earlier))
        .values_list("request_id", flat=True)
        .distinct()
    )
    for pk in soon:
        if (pk, Level.FIRST_SESSION_ALERT, 0) not in fired:
            due.append((pk, Level.FIRST_SESSION_ALERT))
    return due


def protected_time_managers_with_pending() -> QuerySet[User]:
    """Line managers with at least one request waiting for them (for the weekly digest)."""
    return User.objects.filter(
        is_active=True, staff__enrolments__protected_time_request__status__in=AWAITING
    ).distinct()
