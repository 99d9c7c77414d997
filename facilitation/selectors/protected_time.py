"""Reads for protected-time requests: who may decide, the inbox, history, the cohort's matrix."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from facilitation.models import ProtectedTimeDelegation, ProtectedTimeEvent, ProtectedTimeLine, ProtectedTimeRequest
from sessions.models import Cohort, Enrolment, GroupSession

PT = ProtectedTimeRequest


AWAITING = [PT.Status.SUBMITTED]


DECIDED = [PT.Status.APPROVED, PT.Status.PARTLY_APPROVED, PT.Status.DECLINED]


def protected_time_manager_ids_for(*, user: User, on: date | None = None) -> list[int]:
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


def _made_by(user: User, prefix: str = "") -> Q:
    """Requests ``user`` made (their own, or sent for someone else): nobody decides or is shown these to decide."""
    return Q(**{f"{prefix}enrolment__participant": user}) | Q(**{f"{prefix}submitted_by": user})


def _requests_with_people() -> QuerySet[ProtectedTimeRequest]:
    return PT.objects.select_related(
        "enrolment__participant__line_manager", "enrolment__cohort__programme"
    ).prefetch_related(Prefetch("lines", queryset=ProtectedTimeLine.objects.order_by("starts_at")))


INBOX_FIELDS = (
    "id",
    "status",
    "version",
    "awaiting_since",
    "enrolment__id",
    "enrolment__participant__id",
    "enrolment__participant__first_name",
    "enrolment__participant__last_name",
    "enrolment__participant__line_manager_id",
    "enrolment__cohort__id",
    "enrolment__cohort__time_zone",
    "enrolment__cohort__programme__id",
    "enrolment__cohort__programme__neutral_label",
)
LINE_LIST_FIELDS = (
    "id",
    "request_id",
    "starts_at",
    "ends_at",
    "minutes",
    "decision",
    "previous_starts_at",
    "previous_decision",
)


def protected_time_requests_to_decide(*, user: User, manager_ids: list[int] | None = None) -> list[PT]:
    """Requests waiting for ``user`` (their own staff and those delegated to them), oldest first.

    Three queries whatever the number of staff: delegations, requests with
    people and cohort, lines.
    """
    if manager_ids is None:
        manager_ids = protected_time_manager_ids_for(user=user)
    if not manager_ids:
        return []
    # The list shows names, the neutral label and the lines: only those columns are read.
    lines = ProtectedTimeLine.objects.only(*LINE_LIST_FIELDS).order_by("starts_at")
    return list(
        PT.objects.select_related("enrolment__participant", "enrolment__cohort__programme")
        .only(*INBOX_FIELDS)
        .prefetch_related(Prefetch("lines", queryset=lines))
        .filter(status__in=AWAITING, enrolment__participant__line_manager_id__in=manager_ids)
        .exclude(_made_by(user))
        .order_by("awaiting_since", "pk")
    )


def protected_time_history_for(*, user: User, manager_ids: list[int] | None = None) -> list[ProtectedTimeEvent]:
    """Decisions and comments on requests of ``user``'s staff (and delegated staff), newest first."""
    if manager_ids is None:
        manager_ids = protected_time_manager_ids_for(user=user)
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
        .exclude(_made_by(user, "request__"))
        .select_related(
            "actor", "on_behalf_of", "request__enrolment__participant", "request__enrolment__cohort__programme"
        )
        .prefetch_related(Prefetch("lines", queryset=ProtectedTimeLine.objects.order_by("starts_at")))
        .order_by("-at", "-pk")[:200]
    )


def protected_time_request_get_for_decider(*, user: User, pk: int, manager_ids: list[int] | None = None) -> PT:
    """Return the request if ``user`` may decide it (line manager or deputy today, and not theirs); 404 otherwise."""
    if manager_ids is None:
        manager_ids = protected_time_manager_ids_for(user=user)
    try:
        return (
            _requests_with_people()
            .exclude(_made_by(user))
            .get(pk=pk, enrolment__participant__line_manager_id__in=manager_ids)
        )
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


def protected_time_request_get_for_participant(*, user: User, pk: int) -> PT:
    try:
        return _requests_with_people().get(pk=pk, enrolment__participant=user)
    except PT.DoesNotExist:
        raise Http404 from None


def protected_time_request_get_for_facilitator(*, user: User, pk: int) -> PT:
    try:
        return _requests_with_people().get(pk=pk, enrolment__cohort__facilitators=user)
    except PT.DoesNotExist:
        raise Http404 from None


def participant_protected_time(*, participant: User) -> dict[str, object]:
    """Context for the participant home's protected-time panel: two queries, any size."""
    # The panel shows the cohort, status, hours and lines: the people and programme are not read for it.
    requests = list(
        PT.objects.select_related("enrolment__cohort")
        .prefetch_related(Prefetch("lines", queryset=ProtectedTimeLine.objects.order_by("starts_at")))
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


def protected_time_matrix(*, cohort: Cohort) -> dict[str, object]:
    """Participant x session grid of ``covered`` / ``pending`` / ``declined`` / ``not_asked`` (three queries)."""
    sessions = list(
        GroupSession.objects.filter(cohort=cohort).exclude(status=GroupSession.Status.CANCELLED).order_by("starts_at")
    )
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort, status__in=Enrolment.PLACE_STATUSES)
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


def protected_time_delegations_active(*, manager: User) -> list[ProtectedTimeDelegation]:
    """The manager's deputies from today on, for the inbox."""
    return list(
        ProtectedTimeDelegation.objects.filter(
            manager=manager, revoked_at__isnull=True, ends_on__gte=timezone.localdate()
        ).select_related("deputy")
    )


def protected_time_delegations_for(*, manager: User) -> list[ProtectedTimeDelegation]:
    """The manager's last 50 delegations, for the deputies page."""
    return list(ProtectedTimeDelegation.objects.filter(manager=manager).select_related("deputy")[:50])


def protected_time_delegation_get_for_manager(*, user: User, pk: int) -> ProtectedTimeDelegation:
    try:
        return ProtectedTimeDelegation.objects.get(pk=pk, manager=user)
    except ProtectedTimeDelegation.DoesNotExist:
        raise Http404 from None
