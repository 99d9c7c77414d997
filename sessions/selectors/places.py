"""Reads for places: the cohorts a participant holds a place in, with timeline and materials; the pack to read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from programmes.models import InformationPack, Material
from programmes.selectors import information_pack_current
from sessions.models import (
    Attendance,
    Cohort,
    Enrolment,
    GroupSession,
)
from sessions.scheduling import utc_to_local
from sessions.selectors.materials import materials_query, released_plan_ids


@dataclass
class MeetingFacts:
    """When and where a cohort meets, for people deciding whether to join (nothing clinical)."""

    cohort: Cohort
    first_date: date | None = None
    last_date: date | None = None
    weekly_sessions: int = 0
    # The first session's start and end as wall-clock times in the cohort's time zone (naive, so
    # templates show them as they are): the usual weekday and time.
    first_start: datetime | None = None
    first_end: datetime | None = None
    facilitator_names: list[str] = field(default_factory=list)


def meeting_facts_for(*, cohorts: list[Cohort]) -> dict[int, MeetingFacts]:
    """Dates, weekly time (cohort's time zone), place and facilitators for each cohort (two queries)."""
    facts = {cohort.pk: MeetingFacts(cohort=cohort) for cohort in cohorts}
    if not facts:
        return facts
    weekly = (
        GroupSession.objects.filter(cohort_id__in=facts, kind=GroupSession.Kind.WEEKLY)
        .exclude(status=GroupSession.Status.CANCELLED)
        .order_by("starts_at")
        .only("cohort_id", "starts_at", "ends_at", "local_date")
    )
    for group_session in weekly:
        fact = facts[group_session.cohort_id]
        local_start = utc_to_local(group_session.starts_at, fact.cohort.time_zone)
        if fact.first_date is None:
            fact.first_date = local_start.date()
            fact.first_start = local_start.replace(tzinfo=None)
            fact.first_end = utc_to_local(group_session.ends_at, fact.cohort.time_zone).replace(tzinfo=None)
        fact.last_date = local_start.date()
        fact.weekly_sessions += 1
    through = Cohort.facilitators.through.objects.filter(cohort_id__in=facts).select_related("user")
    for row in through.order_by("user__first_name", "user__last_name"):
        facts[row.cohort_id].facilitator_names.append(row.user.full_name)
    return facts


def cohort_pack_current(*, cohort: Cohort) -> InformationPack | None:
    """The pack the cohort's invitees read (the programme's one "current pack" rule)."""
    return information_pack_current(programme=cohort.programme)


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

    @property
    def this_week_plan_ids(self) -> set[int]:
        """The session plans of this week: the latest session begun and the next one."""
        return {s.session_plan_id for s in (self.home_practice_session, self.next_session) if s is not None}

    @property
    def this_week_materials(self) -> list[Material]:
        return [m for m in self.materials if m.session_plan_id in self.this_week_plan_ids]

    @property
    def materials_by_week(self) -> list[tuple[object, list[Material]]]:
        """Released materials grouped by their session plan (week or booster), in programme order."""
        weeks: dict[int, tuple[object, list[Material]]] = {}
        for material in self.materials:
            weeks.setdefault(material.session_plan_id, (material.session_plan, []))[1].append(material)
        return list(weeks.values())


# Long texts a participant's timeline never shows (the facilitator's plan and notes): not read for it.
TIMELINE_UNUSED_FIELDS = (
    "group_notes",
    "session_plan__aims",
    "session_plan__opening_practice",
    "session_plan__main_practice",
    "session_plan__facilitator_guidance",
    "session_plan__intensity_preparation",
)


def participant_groups(
    *, user: User, now: datetime | None = None, enrolments: list[Enrolment] | None = None
) -> list[ParticipantGroup]:
    """The cohorts where the user holds or held a place, with timeline, apologies and released materials (3 queries).

    ``enrolments``: the user's places (enrolled or completed, with ``cohort__programme``) when the caller has
    read them already (one query fewer).
    """
    now = now or timezone.now()
    if enrolments is None:
        enrolments = list(
            Enrolment.objects.filter(participant=user, status__in=Enrolment.PLACE_STATUSES).select_related(
                "cohort__programme"
            )
        )
    enrolments = sorted(enrolments, key=lambda e: e.cohort.start_date, reverse=True)
    if not enrolments:
        return []
    groups = {e.cohort_id: ParticipantGroup(enrolment=e) for e in enrolments}
    # The sessions they sent apologies for come with the timeline (a subquery, not a query of their own).
    apologies = Attendance.objects.filter(participant=user, status=Attendance.Status.APOLOGIES)
    for group_session in (
        GroupSession.objects.filter(cohort_id__in=groups)
        .annotate(apologies_sent=Exists(apologies.filter(group_session=OuterRef("pk"))))
        .select_related("session_plan")
        .defer(*TIMELINE_UNUSED_FIELDS)
        .order_by("starts_at")
    ):
        groups[group_session.cohort_id].sessions.append(group_session)
        if group_session.apologies_sent:
            groups[group_session.cohort_id].apologies_sent.add(group_session.pk)
    held_ids: set[int] = set()
    started_ids: set[int] = set()
    plan_cohort: dict[int, list[int]] = defaultdict(list)
    for group in groups.values():
        group_session_list = group.sessions
        for s in group_session_list:
            s.cohort = group.cohort
            plan_cohort[s.session_plan_id].append(group.cohort.pk)
        held, started = released_plan_ids(sessions=group_session_list, cohort=group.cohort, now=now)
        held_ids |= held
        started_ids |= started
        upcoming = [s for s in group_session_list if s.status == GroupSession.Status.SCHEDULED and s.ends_at > now]
        group.next_session = upcoming[0] if upcoming else None
        begun = [s for s in group_session_list if s.status != GroupSession.Status.CANCELLED and s.starts_at <= now]
        # The practice of the latest session, until the next one; after the last, for one more week only.
        if begun and (group.next_session or begun[-1].starts_at > now - timedelta(weeks=1)):
            group.home_practice_session = begun[-1]
    _attach_materials(groups=groups, plan_cohort=plan_cohort, held_ids=held_ids, started_ids=started_ids)
    return list(groups.values())


def _attach_materials(
    *,
    groups: dict[int, ParticipantGroup],
    plan_cohort: dict[int, list[int]],
    held_ids: set[int],
    started_ids: set[int],
) -> None:
    """Add each released material to the groups it belongs to: on enrolment, to every cohort of its
    programme; otherwise to the cohorts whose plan released it. One query."""
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


def participant_left_groups(*, user: User, enrolments: list[Enrolment] | None = None) -> list[ParticipantGroup]:
    """The cohorts the user left after holding a place, with the handouts released to them before they left.

    A person who leaves keeps what they were given: the materials whose
    release (on enrolment, at the start of a week, after a session) came
    before ``withdrawn_at``; nothing released later. Three queries (two given ``enrolments``: every place of
    the user's, any status, with ``cohort__programme``, when the caller has read them already).
    """
    if enrolments is None:
        enrolments = list(
            Enrolment.objects.filter(participant=user, status=Enrolment.Status.WITHDRAWN).select_related(
                "cohort__programme"
            )
        )
    enrolments = sorted(
        (
            e
            for e in enrolments
            if e.status == Enrolment.Status.WITHDRAWN and e.withdrawn_at is not None and e.confirmed_at is not None
        ),
        key=lambda e: e.withdrawn_at,
        reverse=True,
    )
    if not enrolments:
        return []
    groups = {e.cohort_id: ParticipantGroup(enrolment=e) for e in enrolments}
    for group_session in GroupSession.objects.filter(cohort_id__in=groups).order_by("starts_at"):
        group = groups[group_session.cohort_id]
        if group_session.starts_at <= group.enrolment.withdrawn_at:
            group.sessions.append(group_session)
    held_ids: set[int] = set()
    started_ids: set[int] = set()
    plan_cohort: dict[int, list[int]] = defaultdict(list)
    for group in groups.values():
        held, started = released_plan_ids(
            sessions=group.sessions, cohort=group.cohort, now=group.enrolment.withdrawn_at
        )
        held_ids |= held
        started_ids |= started
        for plan_id in held | started:
            plan_cohort[plan_id].append(group.cohort.pk)
    _attach_materials(groups=groups, plan_cohort=plan_cohort, held_ids=held_ids, started_ids=started_ids)
    return list(groups.values())


def participant_booster_sessions(*, user: User):
    """Booster sessions of the cohorts where ``user`` holds an enrolled or completed place (withdrawn: none)."""
    return (
        GroupSession.objects.filter(
            kind=GroupSession.Kind.BOOSTER,
            cohort__enrolments__participant=user,
            cohort__enrolments__status__in=Enrolment.PLACE_STATUSES,
        )
        .exclude(status=GroupSession.Status.CANCELLED)
        .select_related("cohort", "cohort__programme", "session_plan")
        .distinct()
        .order_by("starts_at")
    )
