"""Reads for enrolment and each role's home page; access selectors raise Http404 for what is not theirs.

Every page builder here runs a fixed number of queries whatever the size of
the group (asserted in tests at 8 and 40 participants).
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from core.services import access_log_record
from facilitation.models import (
    Enrolment,
    Invitation,
    ProtectedTimeDelegation,
    ProtectedTimeEscalation,
    ProtectedTimeEvent,
    ProtectedTimeLine,
    ProtectedTimeRequest,
)
from programmes.models import AgendaItem, Material, Programme
from sessions.models import Attendance, CalendarFeed, CheckIn, Cohort, GroupSession, HelpRequest
from sessions.scheduling import bank_holidays, utc_to_local

FEED_STATUSES = (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)
ACTIVE_COHORT_STATUSES = (Cohort.Status.PLANNING, Cohort.Status.RECRUITING, Cohort.Status.RUNNING)


# --- Access ----------------------------------------------------------------


def cohort_for_facilitator(user: User, pk: int) -> Cohort:
    return get_object_or_404(Cohort.objects.select_related("programme").filter(facilitators=user).distinct(), pk=pk)


def group_session_for_facilitator(user: User, pk: int) -> GroupSession:
    return get_object_or_404(
        GroupSession.objects.select_related("cohort__programme", "session_plan").filter(cohort__facilitators=user),
        pk=pk,
    )


def enrolment_for_facilitator(user: User, pk: int) -> Enrolment:
    return get_object_or_404(
        Enrolment.objects.select_related("cohort", "participant").filter(cohort__facilitators=user), pk=pk
    )


def enrolment_for_participant(user: User, pk: int) -> Enrolment:
    return get_object_or_404(Enrolment.objects.select_related("cohort__programme"), pk=pk, participant=user)


def group_session_for_member(user: User, pk: int) -> GroupSession:
    """A session the user facilitates, or one of a cohort where they hold (or held) a place."""
    sessions = GroupSession.objects.select_related("cohort__programme", "session_plan")
    member = Q(cohort__facilitators=user) | Q(
        cohort__enrolments__participant=user, cohort__enrolments__status__in=FEED_STATUSES
    )
    found = sessions.filter(member, pk=pk).first()
    if found is None:
        raise Http404
    return found


def participant_in_session(group_session: GroupSession, participant_id: int) -> User:
    """The participant, if they hold a place in the session's cohort (else 404)."""
    enrolment = (
        Enrolment.objects.select_related("participant")
        .filter(cohort_id=group_session.cohort_id, participant_id=participant_id, status__in=FEED_STATUSES)
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment.participant


def material_for_participant(user: User, pk: int) -> Material:
    for group in participant_groups(user):
        for material in group.materials:
            if material.pk == pk:
                return material
    raise Http404


# --- Calendar feed ---------------------------------------------------------


def feed_owner(token: str) -> User:
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed is None:
        raise Http404
    return feed.user


def feed_sessions(user: User) -> list[GroupSession]:
    """Sessions for the user's calendar: places enrolled or completed, and cohorts they facilitate."""
    member = Q(cohort__facilitators=user) | Q(
        cohort__enrolments__participant=user, cohort__enrolments__status__in=FEED_STATUSES
    )
    pks = GroupSession.objects.filter(member).values("pk")
    # Whether the user runs the cohort (their events name cohort and week), in the same query.
    runs = Cohort.facilitators.through.objects.filter(cohort_id=OuterRef("cohort_id"), user_id=user.pk)
    return list(
        GroupSession.objects.filter(pk__in=pks)
        .annotate(facilitating=Exists(runs))
        .select_related("cohort__programme")
        .order_by("starts_at")
    )


def facilitated_cohort_ids(user: User) -> set[int]:
    """Cohorts the user runs: their calendar events say which cohort and week."""
    return set(Cohort.objects.filter(facilitators=user).values_list("pk", flat=True))


def feed_places_changed(user: User) -> datetime | None:
    """When the user's places last changed: a withdrawal empties the feed without touching any session."""
    return Enrolment.objects.filter(participant=user).aggregate(latest=Max("updated_at"))["latest"]


# --- Materials -------------------------------------------------------------


def week_started(group_session: GroupSession, today_local) -> bool:
    """The week of a session starts on the Monday of its calendar week (cohort's local time)."""
    return group_session.local_date - timedelta(days=group_session.local_date.weekday()) <= today_local


def released_plan_ids(sessions: list[GroupSession], cohort: Cohort, now: datetime) -> tuple[set[int], set[int]]:
    """Return (plans whose session was held, plans whose week has started)."""
    today_local = utc_to_local(now, cohort.time_zone).date()
    held = {s.session_plan_id for s in sessions if s.status == GroupSession.Status.HELD}
    started = {
        s.session_plan_id
        for s in sessions
        if s.status != GroupSession.Status.CANCELLED and week_started(s, today_local)
    }
    return held, started


def materials_query(*, programme_ids, held_ids, started_ids) -> QuerySet[Material]:
    rule = (
        Q(release=Material.Release.ON_ENROLMENT, session_plan__programme_id__in=programme_ids)
        | Q(release=Material.Release.AFTER_SESSION, session_plan_id__in=held_ids)
        | Q(release=Material.Release.WEEK_START, session_plan_id__in=started_ids)
    )
    return (
        Material.objects.filter(rule, audience=Material.Audience.PARTICIPANTS)
        .select_related("session_plan")
        .order_by("session_plan__kind", "session_plan__number", "position", "pk")
    )


# --- Participant home ------------------------------------------------------


@dataclass
class ParticipantGroup:
    enrolment: Enrolment
    sessions: list[GroupSession] = field(default_factory=list)
    next_session: GroupSession | None = None
    materials: list[Material] = field(default_factory=list)
    home_practice_session: GroupSession | None = None
    apologies_sent: set[int] = field(default_factory=set)

    @property
    def cohort(self) -> Cohort:
        return self.enrolment.cohort


def participant_groups(user: User, *, now: datetime | None = None) -> list[ParticipantGroup]:
    """The cohorts where the user holds or held a place, with timeline and released materials (4 queries)."""
    now = now or timezone.now()
    enrolments = list(
        Enrolment.objects.filter(participant=user, status__in=FEED_STATUSES)
        .select_related("cohort__programme")
        .order_by("-cohort__start_date")
    )
    if not enrolments:
        return []
    groups = {e.cohort_id: ParticipantGroup(enrolment=e) for e in enrolments}
    for group_session in (
        GroupSession.objects.filter(cohort_id__in=groups).select_related("session_plan").order_by("starts_at")
    ):
        groups[group_session.cohort_id].sessions.append(group_session)
    held_ids: set[int] = set()
    started_ids: set[int] = set()
    plan_cohort: dict[int, list[int]] = defaultdict(list)
    for group in groups.values():
        group_session_list = group.sessions
        for s in group_session_list:
            s.cohort = group.cohort
            plan_cohort[s.session_plan_id].append(group.cohort.pk)
        held, started = released_plan_ids(group_session_list, group.cohort, now)
        held_ids |= held
        started_ids |= started
        upcoming = [s for s in group_session_list if s.status == GroupSession.Status.SCHEDULED and s.ends_at > now]
        group.next_session = upcoming[0] if upcoming else None
        begun = [s for s in group_session_list if s.status != GroupSession.Status.CANCELLED and s.starts_at <= now]
        # The practice of the latest session, until the next one; after the last, for one more week only.
        if begun and (group.next_session or begun[-1].starts_at > now - timedelta(weeks=1)):
            group.home_practice_session = begun[-1]
    programme_cohorts: dict[int, list[int]] = defaultdict(list)
    for group in groups.values():
        programme_cohorts[group.cohort.programme_id].append(group.cohort.pk)
    materials = materials_query(programme_ids=list(programme_cohorts), held_ids=held_ids, started_ids=started_ids)
    for material in materials:
        if material.release == Material.Release.ON_ENROLMENT:
            targets = programme_cohorts[material.session_plan.programme_id]
        else:
            targets = plan_cohort[material.session_plan_id]
        for cohort_id in dict.fromkeys(targets):
            groups[cohort_id].materials.append(material)
    apologies = Attendance.objects.filter(
        participant=user, group_session__cohort_id__in=groups, status=Attendance.Status.APOLOGIES
    ).values_list("group_session_id", "group_session__cohort_id")
    for session_id, cohort_id in apologies:
        groups[cohort_id].apologies_sent.add(session_id)
    return list(groups.values())


def participant_home(user: User) -> dict:
    """Everything on the participant's home page, in a fixed number of queries."""
    pending = mark_pre_group_checkin_needed(
        list(
            Enrolment.objects.filter(
                participant=user,
                status__in=[Enrolment.Status.INVITED, Enrolment.Status.ACKNOWLEDGED, Enrolment.Status.WAITLISTED],
            ).select_related("cohort__programme")
        )
    )
    return {
        "groups": participant_groups(user),
        "pending": pending,
        "feed": CalendarFeed.objects.filter(user=user).first(),
        **participant_checkins_panel(user),
        **participant_protected_time(participant=user),
    }


# --- Facilitator home ------------------------------------------------------


@dataclass
class EarlyWarning:
    cohort: Cohort
    participant: User
    sessions: list[GroupSession]


def early_warnings(cohorts: list[Cohort]) -> list[EarlyWarning]:
    """Participants absent without apologies from each cohort's two most recent held sessions (2 queries)."""
    by_cohort: dict[int, list[GroupSession]] = defaultdict(list)
    held = GroupSession.objects.filter(cohort__in=[c.pk for c in cohorts], status=GroupSession.Status.HELD).order_by(
        "cohort_id", "-starts_at"
    )
    for group_session in held:
        if len(by_cohort[group_session.cohort_id]) < 2:
            by_cohort[group_session.cohort_id].append(group_session)
    last_two = {s.pk: s for sessions in by_cohort.values() if len(sessions) == 2 for s in sessions}
    if not last_two:
        return []
    absences: dict[tuple[int, int], list[Attendance]] = defaultdict(list)
    rows = Attendance.objects.filter(group_session_id__in=last_two, status=Attendance.Status.ABSENT).select_related(
        "participant"
    )
    for row in rows:
        absences[(last_two[row.group_session_id].cohort_id, row.participant_id)].append(row)
    cohort_by_id = {c.pk: c for c in cohorts}
    warnings = [
        EarlyWarning(
            cohort=cohort_by_id[cohort_id],
            participant=rows_[0].participant,
            sessions=sorted((last_two[r.group_session_id] for r in rows_), key=lambda s: s.starts_at),
        )
        for (cohort_id, _participant), rows_ in absences.items()
        if len(rows_) == 2
    ]
    return sorted(warnings, key=lambda w: (w.cohort.name, w.participant.first_name))


def cohorts_with_places(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """Annotate places filled, waitlist length and places ready to confirm (one query for any number)."""
    return cohorts.select_related("programme").annotate(
        # A completed cohort's places stay filled: they are completed, not empty.
        places_filled=Count("enrolments", filter=Q(enrolments__status__in=FEED_STATUSES), distinct=True),
        waitlist_length=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED), distinct=True),
        awaiting_confirmation=Count(
            "enrolments", filter=Q(enrolments__status=Enrolment.Status.ACKNOWLEDGED), distinct=True
        ),
    )


def attach_next_sessions(cohorts: list[Cohort], *, now: datetime) -> None:
    """Set ``cohort.next_session`` on each cohort (one query for any number)."""
    next_by_cohort: dict[int, GroupSession] = {}
    upcoming = GroupSession.objects.filter(
        cohort_id__in=[c.pk for c in cohorts], status=GroupSession.Status.SCHEDULED, ends_at__gt=now
    ).order_by("starts_at")
    for group_session in upcoming.select_related("session_plan"):
        next_by_cohort.setdefault(group_session.cohort_id, group_session)
    for cohort in cohorts:
        cohort.next_session = next_by_cohort.get(cohort.pk)


def facilitator_cohorts(user: User) -> list[Cohort]:
    return list(
        cohorts_with_places(Cohort.objects.filter(facilitators=user, status__in=ACTIVE_COHORT_STATUSES)).order_by(
            "start_date", "name"
        )
    )


def lead_home(*, now: datetime | None = None) -> dict:
    """The service lead's overview: every cohort with places and next session, and background work.

    Counts and dates only: nothing clinical (no attendance, notes or reasons). Four queries whatever the size.
    """
    from core.models import Heartbeat

    now = now or timezone.now()
    cohorts = list(cohorts_with_places(Cohort.objects.all()).order_by("-start_date", "name"))
    attach_next_sessions(cohorts, now=now)
    return {
        "cohorts": cohorts,
        "programmes_published": Programme.objects.filter(status=Programme.Status.PUBLISHED).count(),
        "heartbeats": list(Heartbeat.objects.order_by("name")),
    }


def facilitator_home(user: User, *, now: datetime | None = None) -> dict:
    """The facilitator's cohorts with next session, places, waitlist, apologies and early warnings."""
    now = now or timezone.now()
    cohorts = facilitator_cohorts(user)
    ids = [c.pk for c in cohorts]
    attach_next_sessions(cohorts, now=now)
    apologies = list(
        Attendance.objects.filter(
            group_session__cohort_id__in=ids,
            group_session__status=GroupSession.Status.SCHEDULED,
            group_session__ends_at__gt=now,
            status=Attendance.Status.APOLOGIES,
        )
        .select_related("participant", "group_session__cohort")
        .order_by("group_session__starts_at", "participant__first_name")
    )
    return {
        "cohorts": cohorts,
        "apologies": apologies,
        "warnings": early_warnings(cohorts),
        "feed": CalendarFeed.objects.filter(user=user).first(),
        **facilitator_checkins_panel(user),
    }


# --- Cohort detail and running a session -----------------------------------


def cohort_detail(cohort: Cohort) -> dict:
    sessions = list(GroupSession.objects.filter(cohort=cohort).select_related("session_plan").order_by("starts_at"))
    enrolments = mark_pre_group_checkin_needed(
        list(
            Enrolment.objects.filter(cohort=cohort)
            .select_related("participant", "pack_acknowledged", "cohort__programme")
            .order_by("status", "place_number", "waitlisted_at", "created_at")
        )
    )
    grouped: dict[str, list[Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        grouped[enrolment.status].append(enrolment)
    invitations = list(
        Invitation.objects.filter(cohort=cohort, used_at__isnull=True, expires_at__gt=timezone.now()).order_by(
            "-created_at"
        )
    )
    return {
        "sessions": sessions,
        "moved": [s for s in sessions if s.moved_reason],
        "enrolments": enrolments,
        "enrolled": grouped[Enrolment.Status.ENROLLED] + grouped[Enrolment.Status.COMPLETED],
        "waitlisted": sorted(grouped[Enrolment.Status.WAITLISTED], key=lambda e: (e.waitlisted_at, e.pk)),
        "awaiting": grouped[Enrolment.Status.INVITED] + grouped[Enrolment.Status.ACKNOWLEDGED],
        "withdrawn": grouped[Enrolment.Status.WITHDRAWN],
        "invitations": invitations,
        "facilitators": list(cohort.facilitators.all()),
    }


@dataclass
class RegisterRow:
    participant: User
    attendance: Attendance | None


def register_rows(group_session: GroupSession) -> list[RegisterRow]:
    enrolments = (
        Enrolment.objects.filter(cohort_id=group_session.cohort_id, status__in=FEED_STATUSES)
        .select_related("participant")
        .order_by("participant__first_name", "participant__last_name")
    )
    marks = {a.participant_id: a for a in Attendance.objects.filter(group_session=group_session)}
    return [RegisterRow(participant=e.participant, attendance=marks.get(e.participant_id)) for e in enrolments]


def run_session(group_session: GroupSession) -> dict:
    """The run-a-session page: plan, agenda, materials, register (4 queries after the session)."""
    plan = group_session.session_plan
    agenda = list(AgendaItem.objects.filter(session_plan=plan).order_by("position", "pk"))
    start = utc_to_local(group_session.starts_at, group_session.cohort.time_zone)
    clock = start
    timed_agenda = []
    for item in agenda:
        timed_agenda.append((clock, item))
        clock = clock + timedelta(minutes=item.minutes)
    materials = list(Material.objects.filter(session_plan=plan).order_by("position", "pk"))
    return {
        "plan": plan,
        "agenda": timed_agenda,
        "materials": materials,
        "rows": register_rows(group_session),
        "statuses": Attendance.Status.choices,
        "local_start": start,
    }


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


def mark_pre_group_checkin_needed(enrolments: list[Enrolment]) -> list[Enrolment]:
    """Set ``needs_pre_group_checkin`` on each enrolment not yet confirmed (one query whatever their number).

    True when its programme asks for a pre-group check-in before the place is
    confirmed and none has been held, so pages can say so before anyone tries.
    """
    waiting = [
        e
        for e in enrolments
        if e.status in (Enrolment.Status.INVITED, Enrolment.Status.ACKNOWLEDGED, Enrolment.Status.WAITLISTED)
        and e.cohort.programme.pre_group_checkin_required
    ]
    waiting_ids = {e.pk for e in waiting}
    held = set()
    if waiting:
        held = set(
            CheckIn.objects.filter(
                cohort_id__in={e.cohort_id for e in waiting},
                participant_id__in={e.participant_id for e in waiting},
                kind=CheckIn.Kind.PRE_GROUP,
                status=CheckIn.Status.HELD,
            ).values_list("cohort_id", "participant_id")
        )
    for enrolment in enrolments:
        enrolment.needs_pre_group_checkin = enrolment.pk in waiting_ids and (
            (enrolment.cohort_id, enrolment.participant_id) not in held
        )
    return enrolments


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
