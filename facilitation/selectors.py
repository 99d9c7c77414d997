"""Reads for enrolment and each role's home page; access selectors raise Http404 for what is not theirs.

Every page builder here runs a fixed number of queries whatever the size of
the group (asserted in tests at 8 and 40 participants).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from facilitation.models import Enrolment, Invitation
from programmes.models import AgendaItem, Material
from sessions.models import Attendance, CalendarFeed, Cohort, GroupSession
from sessions.scheduling import utc_to_local

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
    return list(GroupSession.objects.filter(pk__in=pks).select_related("cohort__programme").order_by("starts_at"))


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
        group.home_practice_session = begun[-1] if begun else None
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
    pending = list(
        Enrolment.objects.filter(
            participant=user,
            status__in=[Enrolment.Status.INVITED, Enrolment.Status.ACKNOWLEDGED, Enrolment.Status.WAITLISTED],
        ).select_related("cohort__programme")
    )
    return {
        "groups": participant_groups(user),
        "pending": pending,
        "feed": CalendarFeed.objects.filter(user=user).first(),
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


def facilitator_cohorts(user: User) -> list[Cohort]:
    return list(
        Cohort.objects.filter(facilitators=user, status__in=ACTIVE_COHORT_STATUSES)
        .select_related("programme")
        .annotate(
            places_filled=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED), distinct=True),
            waitlist_length=Count(
                "enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED), distinct=True
            ),
            awaiting_confirmation=Count(
                "enrolments", filter=Q(enrolments__status=Enrolment.Status.ACKNOWLEDGED), distinct=True
            ),
        )
        .order_by("start_date", "name")
    )


def facilitator_home(user: User, *, now: datetime | None = None) -> dict:
    """The facilitator's cohorts with next session, places, waitlist, apologies and early warnings."""
    now = now or timezone.now()
    cohorts = facilitator_cohorts(user)
    ids = [c.pk for c in cohorts]
    next_by_cohort: dict[int, GroupSession] = {}
    upcoming = GroupSession.objects.filter(
        cohort_id__in=ids, status=GroupSession.Status.SCHEDULED, ends_at__gt=now
    ).order_by("starts_at")
    for group_session in upcoming.select_related("session_plan"):
        next_by_cohort.setdefault(group_session.cohort_id, group_session)
    for cohort in cohorts:
        cohort.next_session = next_by_cohort.get(cohort.pk)
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
    }


# --- Cohort detail and running a session -----------------------------------


def cohort_detail(cohort: Cohort) -> dict:
    sessions = list(GroupSession.objects.filter(cohort=cohort).select_related("session_plan").order_by("starts_at"))
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort)
        .select_related("participant", "pack_acknowledged")
        .order_by("status", "place_number", "waitlisted_at", "created_at")
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
