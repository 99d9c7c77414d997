from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from facilitation.models import (
    Enrolment,
    ProtectedTimeDelegation,
    ProtectedTimeEscalation,
    ProtectedTimeEvent,
    ProtectedTimeLine,
    ProtectedTimeRequest,
)
from sessions.models import Cohort, GroupSession
from sessions.scheduling import bank_holidays

# --- Protected time ---------------------------------------------------------

PT = ProtectedTimeRequest
AWAITING = [PT.Status.SUBMITTED]
DECIDED = [PT.Status.APPROVED, PT.Status.PARTLY_APPROVED, PT.Status.DECLINED]


def add_working_days(instant: datetime, days: int, *, region: str, time_zone: str) -> datetime:
    """Return ``instant`` moved forward by ``days`` working days (Monday to Friday, not bank holidays).

    The local time of day is kept: asked on Friday 16:00, two working days
    later is Tuesday 16:00 (Wednesday 16:00 if Monday is a bank holiday).
    """
    local = instant.astimezone(zoneinfo.ZoneInfo(time_zone))
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in bank_holidays(region, [day.year]):
            counted += 1
    return datetime.combine(day, local.timetz()).astimezone(instant.tzinfo)


def protected_time_manager_ids_for(user: User, *, on: date | None = None) -> list[int]:
    """Return the managers whose staff's requests ``user`` may decide today: themselves and delegators."""
    on = on or timezone.localdate()
    ids = list(
        ProtectedTimeDelegation.objects.filter(
            deputy=user, revoked_at__isnull=True, starts_on__lte=on, ends_on__gte=on
        ).values_list("manager_id", flat=True)
    )
    if user.is_manager:
        ids.insert(0, user.pk)
    return ids


def _requests_with_people() -> QuerySet[ProtectedTimeRequest]:
    return PT.objects.select_related(
        "enrolment__participant__line_manager", "enrolment__cohort__programme"
    ).prefetch_related(Prefetch("lines", queryset=ProtectedTimeLine.objects.order_by("starts_at")))


def protected_time_requests_to_decide(*, user: User, manager_ids: list[int] | None = None) -> list[PT]:
    """Requests waiting for ``user`` (their own staff and those delegated to them), oldest first.

    Three queries whatever the number of staff: delegations, requests with
    people and cohort, lines.
    """
    if manager_ids is None:
        manager_ids = protected_time_manager_ids_for(user)
    if not manager_ids:
        return []
    return list(
        _requests_with_people()
        .filter(status__in=AWAITING, enrolment__participant__line_manager_id__in=manager_ids)
        .order_by("awaiting_since", "pk")
    )


def protected_time_history_for(*, user: User, manager_ids: list[int] | None = None) -> list[ProtectedTimeEvent]:
    """Decisions and comments on requests of ``user``'s staff (and delegated staff), newest first."""
    if manager_ids is None:
        manager_ids = protected_time_manager_ids_for(user)
    return list(
        ProtectedTimeEvent.objects.filter(
            request__enrolment__participant__line_manager_id__in=manager_ids,
            action__in=[
                ProtectedTimeEvent.Action.SUBMITTED,
                ProtectedTimeEvent.Action.APPROVED,
                ProtectedTimeEvent.Action.DECLINED,
                ProtectedTimeEvent.Action.COMMENTED,
                ProtectedTimeEvent.Action.WITHDRAWN,
                ProtectedTimeEvent.Action.SESSIONS_CHANGED,
                ProtectedTimeEvent.Action.SESSIONS_ADDED,
            ],
        )
        .select_related(
            "actor", "on_behalf_of", "request__enrolment__participant", "request__enrolment__cohort__programme"
        )
        .prefetch_related(Prefetch("lines", queryset=ProtectedTimeLine.objects.order_by("starts_at")))
        .order_by("-at", "-pk")[:200]
    )


def protected_time_request_for_decider(*, user: User, pk: int) -> PT:
    """Return the request if ``user`` may decide it (line manager or deputy today); 404 otherwise."""
    manager_ids = protected_time_manager_ids_for(user)
    try:
        return _requests_with_people().get(pk=pk, enrolment__participant__line_manager_id__in=manager_ids)
    except PT.DoesNotExist:
        raise Http404 from None


def protected_time_request_events(*, request: PT) -> list[ProtectedTimeEvent]:
    return list(
        request.events.select_related("actor", "on_behalf_of").prefetch_related(
            Prefetch("lines", queryset=ProtectedTimeLine.objects.order_by("starts_at"))
        )
    )


def protected_time_approved_lines_for(*, user: User) -> list[ProtectedTimeLine]:
    """Approved lines of ``user``'s own staff, from a month ago on, for the rota calendar."""
    return list(
        ProtectedTimeLine.objects.filter(
            decision=ProtectedTimeLine.Decision.APPROVED,
            request__enrolment__participant__line_manager=user,
            request__status__in=[*AWAITING, *DECIDED],
            ends_at__gte=timezone.now() - timedelta(days=31),
        )
        .select_related("request__enrolment__participant", "request__enrolment__cohort__programme", "group_session")
        .order_by("starts_at")
    )


def protected_time_request_for_participant(*, user: User, pk: int) -> PT:
    try:
        return _requests_with_people().get(pk=pk, enrolment__participant=user)
    except PT.DoesNotExist:
        raise Http404 from None


def protected_time_request_for_facilitator(*, user: User, pk: int) -> PT:
    try:
        return _requests_with_people().get(pk=pk, enrolment__cohort__facilitators=user)
    except PT.DoesNotExist:
        raise Http404 from None


def participant_protected_time(*, participant: User) -> dict[str, object]:
    """Context for ``facilitation/partials/participant_protected_time.html``: two queries, any size."""
    requests = list(
        _requests_with_people()
        .filter(enrolment__participant=participant)
        .exclude(enrolment__status=Enrolment.Status.WITHDRAWN)
        .order_by("-created_at")
    )
    return {"protected_time_requests": requests}


@dataclass
class MatrixRow:
    enrolment: Enrolment
    request: PT | None
    cells: list[str] = field(default_factory=list)


def protected_time_cohort_for_facilitator(*, user: User, pk: int) -> Cohort:
    try:
        return Cohort.objects.select_related("programme").get(pk=pk, facilitators=user)
    except Cohort.DoesNotExist:
        raise Http404 from None


def protected_time_matrix(*, cohort: Cohort) -> dict[str, object]:
    """Participant x session grid of ``covered`` / ``pending`` / ``declined`` / ``not_asked`` (three queries)."""
    sessions = list(cohort.group_sessions.exclude(status=GroupSession.Status.CANCELLED).order_by("starts_at"))
    enrolments = list(
        cohort.enrolments.filter(status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED])
        .select_related("participant__line_manager", "protected_time_request")
        .order_by("participant__first_name", "participant__last_name")
    )
    lines = ProtectedTimeLine.objects.filter(request__enrolment__cohort=cohort).values_list(
        "request__enrolment_id", "group_session_id", "decision", "request__status"
    )
    by_cell = {(enrolment_id, session_id): (decision, status) for enrolment_id, session_id, decision, status in lines}
    rows = []
    for enrolment in enrolments:
        request = getattr(enrolment, "protected_time_request", None)
        row = MatrixRow(enrolment=enrolment, request=request)
        for session in sessions:
            decision, status = by_cell.get((enrolment.pk, session.pk), (None, None))
            if decision is None or status in (PT.Status.DRAFT, PT.Status.WITHDRAWN):
                row.cells.append("not_asked")
            elif decision == ProtectedTimeLine.Decision.APPROVED:
                row.cells.append("covered")
            else:
                row.cells.append(decision)
        rows.append(row)
    return {"cohort": cohort, "sessions": sessions, "rows": rows}


def protected_time_due_escalations(*, now: datetime | None = None) -> list[tuple[int, str]]:
    """Return (request id, level) pairs whose tracking step is due now and has not fired.

    The service re-checks each under a lock; the unique constraint on
    ProtectedTimeEscalation is what makes a step fire once.
    """
    now = now or timezone.now()
    remind_days = settings.STEADY_PROTECTED_TIME_REMIND_AFTER_WORKING_DAYS
    escalate_days = settings.STEADY_PROTECTED_TIME_ESCALATE_AFTER_WORKING_DAYS
    alert_window = timedelta(hours=settings.STEADY_PROTECTED_TIME_ALERT_HOURS)
    Level = ProtectedTimeEscalation.Level
    fired = set(
        ProtectedTimeEscalation.objects.filter(request__status__in=[*AWAITING, *DECIDED]).values_list(
            "request_id", "level", "cycle"
        )
    )
    due: list[tuple[int, str]] = []
    # Awaiting a decision for at least the shortest possible working-day gap (a calendar-day prefilter).
    waiting = PT.objects.filter(status__in=AWAITING, awaiting_since__lte=now - timedelta(days=remind_days)).values_list(
        "pk", "cycle", "awaiting_since", "enrolment__cohort__holiday_region", "enrolment__cohort__time_zone"
    )
    for pk, cycle, since, region, tz in waiting:
        if (pk, Level.MANAGER_REMINDER, cycle) not in fired and now >= add_working_days(
            since, remind_days, region=region, time_zone=tz
        ):
            due.append((pk, Level.MANAGER_REMINDER))
        if (pk, Level.ESCALATION, cycle) not in fired and now >= add_working_days(
            since, escalate_days, region=region, time_zone=tz
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


def protected_time_first_line(*, request: PT) -> ProtectedTimeLine | None:
    return request.lines.order_by("starts_at").first()


def protected_time_managers_with_pending() -> QuerySet[User]:
    """Line managers with at least one request waiting for them (for the weekly digest)."""
    return User.objects.filter(
        is_active=True, staff__enrolments__protected_time_request__status__in=AWAITING
    ).distinct()


def protected_time_pending_count_for(*, manager: User) -> int:
    return PT.objects.filter(status__in=AWAITING, enrolment__participant__line_manager=manager).count()


# --- Check-ins ---
# Selectors for the check-in panels of the home pages (each a fixed number of queries) and for
# the enrolment rules that depend on check-ins.


from core.services import access_log_record  # noqa: E402, RUF100
from sessions.models import CheckIn, HelpRequest  # noqa: E402, RUF100

# A participant is offered "I'd like to talk" on their home page this long after a high-intensity session.
TALK_OFFER_AFTER_INTENSE_SESSION = timedelta(days=7)
ACTIVE_PLACE = (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)


def pre_group_checkin_done(enrolment: Enrolment) -> bool:
    """Whether the enrolment's participant has had a pre-group check-in (held) for its cohort."""
    return CheckIn.objects.filter(
        cohort_id=enrolment.cohort_id,
        participant_id=enrolment.participant_id,
        kind=CheckIn.Kind.PRE_GROUP,
        status=CheckIn.Status.HELD,
    ).exists()


def pre_group_checkin_outstanding(enrolment: Enrolment) -> bool:
    """Whether the programme asks for a pre-group check-in before the place is confirmed, and none was held."""
    return enrolment.cohort.programme.pre_group_checkin_required and not pre_group_checkin_done(enrolment)


def participant_booster_sessions(user):
    """Booster sessions of the cohorts where ``user`` holds an enrolled or completed place (withdrawn: none)."""
    return (
        GroupSession.objects.filter(
            kind=GroupSession.Kind.BOOSTER,
            cohort__enrolments__participant=user,
            cohort__enrolments__status__in=ACTIVE_PLACE,
        )
        .exclude(status=GroupSession.Status.CANCELLED)
        .select_related("cohort", "cohort__programme", "session_plan")
        .distinct()
        .order_by("starts_at")
    )


def participant_checkins_panel(user) -> dict:
    """Context for ``facilitation/partials/participant_checkins.html`` (five queries whatever the data).

    - ``checkin_cohorts``: the cohorts where ``user`` holds an enrolled or completed place
    - ``upcoming_checkins``: their booked check-ins from now on, with facilitator
    - ``open_help_requests``: their "I'd like to talk" requests not yet handled
    - ``talk_offered``: a high-intensity session of theirs was held in the last seven days
    - ``upcoming_boosters``: booster sessions from now on (none once withdrawn)
    """
    now = timezone.now()
    cohorts = list(
        Cohort.objects.filter(enrolments__participant=user, enrolments__status__in=ACTIVE_PLACE)
        .select_related("programme")
        .distinct()
    )
    upcoming = list(
        CheckIn.objects.filter(participant=user, status=CheckIn.Status.BOOKED, starts_at__gte=now)
        .select_related("facilitator")
        .order_by("starts_at")[:5]
    )
    open_requests = list(HelpRequest.objects.filter(participant=user, status=HelpRequest.Status.OPEN))
    talk_offered = GroupSession.objects.filter(
        cohort__in=[cohort.pk for cohort in cohorts],
        status=GroupSession.Status.HELD,
        session_plan__intensity="high",
        held_at__gte=now - TALK_OFFER_AFTER_INTENSE_SESSION,
    ).exists()
    boosters = list(participant_booster_sessions(user).filter(starts_at__gte=now)[:3])
    return {
        "checkin_cohorts": cohorts,
        "upcoming_checkins": upcoming,
        "open_help_requests": open_requests,
        "talk_offered": talk_offered,
        "upcoming_boosters": boosters,
    }


def facilitator_checkins_panel(user) -> dict:
    """Context for ``facilitation/partials/facilitator_checkins.html`` (three queries whatever the data,
    plus one insert into the access log when requests are shown, as their messages are clinical).

    - ``open_help_requests``: unhandled "I'd like to talk" requests from the cohorts ``user`` facilitates
    - ``upcoming_checkins``: the next ten check-ins booked with ``user`` (from an hour ago on)
    - ``checkins_to_record``: check-ins with ``user`` that have ended but are still marked booked
    """
    now = timezone.now()
    requests = list(
        HelpRequest.objects.filter(cohort__facilitators=user, status=HelpRequest.Status.OPEN)
        .select_related("participant", "cohort")
        .order_by("created_at")
    )
    booked = CheckIn.objects.filter(facilitator=user, status=CheckIn.Status.BOOKED).select_related(
        "participant", "cohort"
    )
    upcoming = list(booked.filter(starts_at__gte=now - timedelta(hours=1)).order_by("starts_at")[:10])
    to_record = list(booked.filter(ends_at__lt=now).order_by("-starts_at")[:10])
    access_log_record(actor=user, records=[r for r in requests if r.message], subject_attr="participant")
    return {"open_help_requests": requests, "upcoming_checkins": upcoming, "checkins_to_record": to_record}
