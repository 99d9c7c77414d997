"""Reads for cohorts: lists with places and next session, the cohort page, and running a session."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import User
from core.formatting import local_format
from core.services import access_log_record
from programmes.models import AgendaItem, Material
from sessions.cohort_links import cohort_links_for
from sessions.models import (
    Attendance,
    CheckIn,
    ClosureDate,
    Cohort,
    Enrolment,
    GroupSession,
    Invitation,
    PlaceOverride,
)
from sessions.scheduling import utc_to_local
from sessions.selectors.checkin_offers import checkin_offers_by_participant
from sessions.selectors.checkins import mark_pre_group_checkin_needed
from sessions.selectors.joining import cohort_join_closed


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


def attach_progress(*, cohorts: list[Cohort], now: datetime) -> None:
    """Set ``cohort.weeks_begun`` and ``cohort.weeks_total`` (weekly sessions, cancelled ones left out; one query)."""
    rows = (
        GroupSession.objects.filter(cohort_id__in=[c.pk for c in cohorts], kind=GroupSession.Kind.WEEKLY)
        .exclude(status=GroupSession.Status.CANCELLED)
        .values("cohort_id")
        .annotate(total=Count("id"), begun=Count("id", filter=Q(starts_at__lte=now)))
        .order_by()
    )
    by_cohort = {row["cohort_id"]: row for row in rows}
    for cohort in cohorts:
        row = by_cohort.get(cohort.pk, {"total": 0, "begun": 0})
        cohort.weeks_total = row["total"]
        cohort.weeks_begun = row["begun"]


def cohort_sessions(*, cohort_ids: list[int]) -> list[GroupSession]:
    """Every session of these cohorts, by cohort then start, with its plan's title (long texts not read); one query.

    For pages that need several things from the same sessions (next one, progress, the last two held):
    ``attach_schedule`` then works them out without asking again.
    """
    return list(
        GroupSession.objects.filter(cohort_id__in=cohort_ids)
        .select_related("session_plan")
        .defer(*PLAN_LONG_TEXTS)
        .order_by("cohort_id", "starts_at", "pk")
    )


def attach_schedule(*, cohorts: list[Cohort], sessions: list[GroupSession], now: datetime) -> None:
    """``attach_next_sessions`` and ``attach_progress`` worked out from ``cohort_sessions``, with no query.

    The same rules: the next session is the first scheduled one not yet ended (by start, then id); progress
    counts weekly sessions not cancelled, ``weeks_begun`` those started by ``now``. Each session's ``cohort``
    is set to its cohort here, so nothing is read again through it.
    """
    by_id = {cohort.pk: cohort for cohort in cohorts}
    for cohort in cohorts:
        cohort.next_session, cohort.weeks_total, cohort.weeks_begun = None, 0, 0
    for group_session in sessions:  # by cohort, then start, then id
        cohort = by_id[group_session.cohort_id]
        group_session.cohort = cohort
        if (
            cohort.next_session is None
            and group_session.status == GroupSession.Status.SCHEDULED
            and group_session.ends_at > now
        ):
            cohort.next_session = group_session
        if group_session.kind == GroupSession.Kind.WEEKLY and group_session.status != GroupSession.Status.CANCELLED:
            cohort.weeks_total += 1
            cohort.weeks_begun += group_session.starts_at <= now


def checkin_kind_for(*, cohort: Cohort) -> str:
    """The check-in purpose that fits where the cohort is (after ``attach_progress``).

    Before the first session: before the group starts; within a week of the middle: around the middle;
    from the last weekly session on (or once completed): at the end; otherwise whenever needed.
    """
    begun, total = cohort.weeks_begun, cohort.weeks_total
    if cohort.status == Cohort.Status.COMPLETED or (total and begun >= total):
        return CheckIn.Kind.END_OF_PROGRAMME
    if begun == 0:
        return CheckIn.Kind.PRE_GROUP
    if abs(begun - total / 2) <= 1:
        return CheckIn.Kind.MID_PROGRAMME
    return CheckIn.Kind.ON_REQUEST


def cohort_overview_for_lead(*, cohort: Cohort) -> dict:
    """The service lead's read-only view of one cohort: dates, places, facilitators and attendance counts.

    Nothing clinical: no names of participants, no notes, reasons, check-ins or help requests (four queries).
    """
    sessions = list(GroupSession.objects.filter(cohort=cohort).select_related("session_plan").order_by("starts_at"))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Attendance.objects.filter(group_session__cohort=cohort)
        .values("group_session_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["group_session_id"]][row["status"]] = row["n"]
    for group_session in sessions:
        tally = counts.get(group_session.pk, {})
        group_session.attended = sum(
            tally.get(status, 0)
            for status in (Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.LEFT_EARLY)
        )
        group_session.apologies = tally.get(Attendance.Status.APOLOGIES, 0)
        group_session.absent = tally.get(Attendance.Status.ABSENT, 0)
    return {
        "cohort": cohort,
        "sessions": sessions,
        "facilitators": list(cohort.facilitators.order_by("first_name", "last_name")),
    }


def cohort_detail(*, cohort: Cohort, user: User) -> dict:
    """The cohort page for ``user`` (a facilitator): sessions, places by status, invitations.

    Withdrawal reasons are clinical: their read is recorded in the access log here.
    """
    sessions = list(
        # The plans' titles are shown; their long texts are not read.
        GroupSession.objects.filter(cohort=cohort)
        .select_related("session_plan")
        .defer(*PLAN_LONG_TEXTS)
        .order_by("starts_at")
    )
    # The schedule's row text made here once per row, not by a date filter and get_status_display in the template.
    status_labels = {value: str(label) for value, label in GroupSession.Status.choices}
    for group_session in sessions:
        group_session.when = local_format(group_session.starts_at, cohort.time_zone, "D j M Y, H:i")
        group_session.status_label = status_labels[group_session.status]
    places = list(
        Enrolment.objects.filter(cohort=cohort)
        .select_related("participant")
        .order_by("status", "place_number", "waitlisted_at", "created_at")
    )
    for place in places:
        place.cohort = cohort  # read already, with its programme: not joined again for every place
    enrolments = mark_pre_group_checkin_needed(enrolments=places)
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
        "join_closed": cohort_join_closed(cohort=cohort),
        # Reasons facilitators gave to go ahead (closed group, safeness): for this cohort's facilitators only.
        "place_overrides": list(PlaceOverride.objects.filter(cohort=cohort).select_related("decided_by")),
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
    """The run-a-session page: plan, agenda, materials, register, check-in offers (5 queries after the session)."""
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
    offers = checkin_offers_by_participant(group_session=group_session)
    started = group_session.starts_at <= timezone.now()
    return {
        "plan": plan,
        "agenda": timed_agenda,
        "materials": materials,
        "rows": rows,
        # Each label translated once, not once a row (the register has a button per status per person).
        "statuses": [(value, str(label)) for value, label in Attendance.Status.choices],
        "local_start": start,
        # "Mark as held" opens when the session starts (the service refuses it before).
        "started": started,
        # After a heavy session the facilitator may offer check-ins (one tap for the participant).
        "offer_rows": [(row.participant, offers.get(row.participant.pk)) for row in rows],
        "can_offer_checkins": plan.intensity == plan.Intensity.HIGH and started,
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
