"""Reads for cohorts: lists with places and next session, the cohort page, and running a session."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import User
from core.services import access_log_record
from programmes.models import AgendaItem, Material
from sessions.cohort_links import cohort_links_for
from sessions.models import (
    Attendance,
    ClosureDate,
    Cohort,
    Enrolment,
    GroupSession,
    Invitation,
)
from sessions.scheduling import utc_to_local
from sessions.selectors.checkins import mark_pre_group_checkin_needed


def closures_by_date() -> dict[date, str]:
    """The service's closure dates (beyond bank holidays), date -> why."""
    return dict(ClosureDate.objects.values_list("date", "description"))


def cohorts_with_places(*, cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """Annotate places filled, waitlist length and places ready to confirm (one query for any number)."""
    return cohorts.select_related("programme").annotate(
        # A completed cohort's places stay filled: they are completed, not empty.
        places_filled=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.PLACE_STATUSES), distinct=True),
        waitlist_length=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED), distinct=True),
        awaiting_confirmation=Count(
            "enrolments", filter=Q(enrolments__status=Enrolment.Status.ACKNOWLEDGED), distinct=True
        ),
    )


# A session plan's long texts, for lists that show only its title.
PLAN_LONG_TEXTS = (
    "session_plan__aims",
    "session_plan__opening_practice",
    "session_plan__main_practice",
    "session_plan__home_practice",
    "session_plan__facilitator_guidance",
    "session_plan__intensity_preparation",
)


def attach_next_sessions(*, cohorts: list[Cohort], now: datetime, with_plan: bool = True) -> None:
    """Set ``cohort.next_session`` on each cohort (one query for any number, one row per cohort).

    ``with_plan=False``: the session's times and status only (a list that shows no plan titles).
    """
    # Each cohort's first upcoming session, numbered within its cohort; only the first rows come back.
    upcoming = (
        GroupSession.objects.filter(
            cohort_id__in=[c.pk for c in cohorts], status=GroupSession.Status.SCHEDULED, ends_at__gt=now
        )
        .annotate(place=Window(RowNumber(), partition_by=[F("cohort_id")], order_by=[F("starts_at"), F("pk")]))
        .filter(place=1)
    )
    upcoming = (
        # The plan's title is shown; its long texts are not read.
        upcoming.select_related("session_plan").defer(*PLAN_LONG_TEXTS)
        if with_plan
        else upcoming.only("pk", "cohort_id", "starts_at", "ends_at", "status")
    )
    next_by_cohort = {s.cohort_id: s for s in upcoming}
    for cohort in cohorts:
        cohort.next_session = next_by_cohort.get(cohort.pk)


def cohort_detail(*, cohort: Cohort, user: User) -> dict:
    """The cohort page for ``user`` (a facilitator): sessions, places by status, invitations.

    Withdrawal reasons are clinical: their read is recorded in the access log here.
    """
    sessions = list(GroupSession.objects.filter(cohort=cohort).select_related("session_plan").order_by("starts_at"))
    enrolments = mark_pre_group_checkin_needed(
        enrolments=list(
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
    access_log_record(
        actor=user,
        records=[e for e in grouped[Enrolment.Status.WITHDRAWN] if e.withdrawal_reason],
        subject_attr="participant",
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
        "cohort_links": cohort_links_for(cohort_pk=cohort.pk),
        "next_statuses": [(value, Cohort.Status(value).label) for value in Cohort.STATUS_TRANSITIONS[cohort.status]],
    }


@dataclass
class RegisterRow:
    participant: User
    attendance: Attendance | None


def register_rows(*, group_session: GroupSession) -> list[RegisterRow]:
    enrolments = (
        Enrolment.objects.filter(cohort_id=group_session.cohort_id, status__in=Enrolment.PLACE_STATUSES)
        .select_related("participant")
        .order_by("participant__first_name", "participant__last_name")
    )
    marks = {a.participant_id: a for a in Attendance.objects.filter(group_session=group_session)}
    return [RegisterRow(participant=e.participant, attendance=marks.get(e.participant_id)) for e in enrolments]


def run_session(*, group_session: GroupSession, user: User) -> dict:
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
    rows = register_rows(group_session=group_session)
    # Attendance notes are clinical: record that ``user`` read them.
    access_log_record(actor=user, records=[r.attendance for r in rows if r.attendance], subject_attr="participant")
    return {
        "plan": plan,
        "agenda": timed_agenda,
        "materials": materials,
        "rows": rows,
        "statuses": Attendance.Status.choices,
        "local_start": start,
        # "Mark as held" opens when the session starts (the service refuses it before).
        "started": group_session.starts_at <= timezone.now(),
    }


def cohorts_due_for_completion() -> list[int]:
    """Running cohorts whose every weekly session is held, cancelled or in the past."""
    now = timezone.now()
    running = Cohort.objects.filter(status=Cohort.Status.RUNNING)
    open_sessions = GroupSession.objects.filter(
        kind=GroupSession.Kind.WEEKLY, status=GroupSession.Status.SCHEDULED, ends_at__gt=now
    )
    return list(running.exclude(pk__in=open_sessions.values("cohort_id")).values_list("pk", flat=True))


def attendance_get(*, group_session: GroupSession, participant: User) -> Attendance | None:
    return Attendance.objects.filter(group_session=group_session, participant=participant).first()


def cohort_moved_session_count(*, cohort: Cohort) -> int:
    """How many of the cohort's sessions are not on their regular date (bank holidays, closures, moves)."""
    return GroupSession.objects.filter(cohort=cohort).exclude(moved_reason="").count()
