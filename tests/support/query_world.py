"""A whole service at a given size, for the query-budget check (tests/core/test_query_budgets.py).

``world(size)`` builds one service with ``size`` units of everything a list, home or report page shows, so
that size 1 and size 10 differ by about ten times: the facilitator's cohorts, the places in the main cohort,
the participant's past groups, check-ins, help requests (open and escalated), protected-time requests,
comments and decisions, deputies, line managers to confirm, questionnaire responses and risk alerts,
check-in offers, apologies, invitations and a waiting list, availability, notifications (sent and failed),
crisis contacts and audit rows. Each page of ``tests/query_budgets.py`` is then requested as the role that
uses it, and its query count must be the same at both sizes.

Built through the project's factories and services where they are quick; rows no page depends on being
made by a service (audit rows, notifications, risk alerts, scores) are written directly.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from accounts.line_managers import line_manager_request_create
from accounts.models import User
from core.models import AccessLog, CrisisContact, EscalationStep
from facilitation.models import ProtectedTimeRequest
from facilitation.services.delegations import protected_time_delegation_create
from facilitation.services.protected_time import (
    protected_time_comment,
    protected_time_request_draft,
    protected_time_submit,
)
from facilitation.services.protected_time_decisions import protected_time_approve, protected_time_decline
from measures.definitions import DATA_DIR, parse_definition
from measures.models import Measure, Response, RiskAlert, Scale, Score
from measures.services import measure_load, measures_load_builtin
from programmes.models import AgendaItem, Material, Programme, SessionPlan
from reminders.models import Reminder
from sessions.escalation_ladders import HELP_LADDER, STEP_SERVICE_LEAD
from sessions.models import (
    Attendance,
    CalendarFeed,
    CheckIn,
    CheckinOffer,
    Cohort,
    Enrolment,
    GroupSession,
    HelpRequest,
)
from sessions.services.boosters import boosters_schedule
from sessions.services.calendar_feeds import calendar_feed_ensure
from sessions.services.checkins import availability_slot_add, blocked_date_add
from sessions.services.help_requests import help_request_create
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    FacilitatorFactory,
    ManagerFactory,
    ParticipantFactory,
    ServiceLeadFactory,
    cohort_with_sessions,
    enrol,
    programme_with_plans,
)
from tests.measures.builders import schedule
from tests.sessions.factories_checkins import weekly_window

# A Wednesday in term time, away from daylight-saving changes; the test travels here.
NOW = datetime.datetime(2026, 3, 4, 10, 0, tzinfo=datetime.UTC)
HELD_WEEKS = 5  # the main cohort is in its sixth week
PLACES_PER_SIZE = 5  # places in the main cohort per unit (5 is the smallest group the reports show)


@dataclass
class World:
    participant: User  # holds a place in the main cohort and ``size`` past places
    facilitator: User  # runs the main cohort and ``size - 1`` others
    manager: User  # line manager of the facilitator's cohorts' people, or their managers' deputy
    lead: User
    cohort: Cohort  # the main cohort, running
    group_session: GroupSession  # the main cohort's last held session, with a full register
    programme: Programme  # the main cohort's
    long_programme: Programme  # 4 weeks per unit, for the library's pages
    session_plan: SessionPlan  # its week 1: ``size`` materials and ``size + 1`` agenda rows
    protected_time_request: ProtectedTimeRequest  # the participant's, submitted, with comments
    feed: CalendarFeed  # the facilitator's calendar address
    checkin: CheckIn  # the participant's next, booked
    help_request: HelpRequest  # the participant's, open
    crisis_contact: CrisisContact


def world(size: int) -> World:
    """Build the service at ``size`` (1 or 10); call inside a transaction that is rolled back."""
    measures = library(size)
    lead, manager, facilitator = ServiceLeadFactory(), ManagerFactory(), FacilitatorFactory()
    participant = ParticipantFactory(line_manager=manager)
    programme = programme_with_plans(weeks=12, boosters=2)
    schedule(programme, measures)
    materials(programme, size)
    long_programme = programme_with_plans(weeks=4 * size, boosters=2)
    materials(long_programme, size)
    session_plan = long_programme.session_plans.get(kind="weekly", number=1)
    AgendaItem.objects.bulk_create(
        AgendaItem(session_plan=session_plan, position=n, title=f"Practice {n}", minutes=5) for n in range(1, size + 1)
    )

    cohort, people, held = main_cohort(programme, facilitator, participant, manager, size)
    request = protected_time(cohort, manager, size)
    help_request = talk(cohort, people, size)
    questionnaires(cohort, people, measures, size)
    next_checkin = checkins(cohort, facilitator, people, size)
    other_groups(programme, facilitator, participant, manager, measures, size)
    # Two facilitators wanted in weeks 6 and 7 of every programme: cover warnings for each open cohort.
    SessionPlan.objects.filter(kind="weekly", number__in=(6, 7)).update(needs_two_facilitators=True)
    crisis_contact = service(people, (participant, facilitator, manager, lead), size)
    return World(
        participant=participant,
        facilitator=facilitator,
        manager=manager,
        lead=lead,
        cohort=cohort,
        group_session=held[-1],
        programme=programme,
        long_programme=long_programme,
        session_plan=session_plan,
        protected_time_request=request,
        feed=calendar_feed_ensure(user=facilitator),
        checkin=next_checkin,
        help_request=help_request,
        crisis_contact=crisis_contact,
    )


def library(size: int) -> dict[str, Measure]:
    """The shipped measures, and ``size`` more versions of GAD-7 for the register; return them by code."""
    SCALES.clear()  # ids of a rolled-back world may come again
    measures = {measure.code: measure for measure, _state in measures_load_builtin()}
    gad7 = (DATA_DIR / "gad-7.yaml").read_text()
    for version in range(2, size + 2):
        measure_load(definition=parse_definition(gad7.replace("\nversion: 1\n", f"\nversion: {version}\n", 1)))
    return measures


def main_cohort(programme, facilitator, participant, manager, size) -> tuple[Cohort, list[User], list[GroupSession]]:
    """The running cohort: 5 places per unit, five weeks held with a register (``size`` absent from the last two,
    ``size`` apologies for the next), ``size`` invited, ``size`` waiting, check-ins offered after week 5.
    ``size`` of the places' line managers have named the manager as their deputy."""
    now = timezone.now()
    cohort = running_cohort(programme, facilitator)
    deputised = [ManagerFactory() for _ in range(size)]
    for other in deputised:
        protected_time_delegation_create(
            manager=other, deputy=manager, starts_on=now.date(), ends_on=now.date() + timedelta(days=14)
        )
    line_managers = [manager] * (PLACES_PER_SIZE * size - 1 - size) + deputised
    people = [participant] + [
        ParticipantFactory(line_manager=boss, team=f"Ward {n % 3}", directorate=("Medicine", "Surgery")[n % 2])
        for n, boss in enumerate(line_managers)
    ]
    for person in people:
        enrol(cohort, person)
    held = list(cohort.group_sessions.filter(kind="weekly").order_by("number")[:HELD_WEEKS])
    GroupSession.objects.filter(pk__in=[s.pk for s in held]).update(status="held", held_at=now - timedelta(days=2))
    SessionPlan.objects.filter(pk=held[-1].session_plan_id).update(intensity="high")  # "I'd like to talk" offered
    absent = set(people[-size:])
    Attendance.objects.bulk_create(
        Attendance(group_session=s, participant=p, status="absent" if p in absent and s in held[-2:] else "present")
        for s in held
        for p in people
    )
    upcoming = cohort.group_sessions.filter(status="scheduled").order_by("starts_at").first()
    Attendance.objects.bulk_create(
        Attendance(group_session=upcoming, participant=p, status="apologies") for p in people[:size]
    )
    for _ in range(size):
        EnrolmentFactory(cohort=cohort, participant=ParticipantFactory(line_manager=manager), status="invited")
        EnrolmentFactory(cohort=cohort, participant=ParticipantFactory(line_manager=manager), status="waitlisted")
    CheckinOffer.objects.bulk_create(
        CheckinOffer(cohort=cohort, group_session=held[-1], participant=p, offered_by=facilitator) for p in people
    )
    CheckinOffer.objects.filter(cohort=cohort).update(created_at=now - timedelta(days=5))  # not taken up since
    return cohort, people, held


def protected_time(cohort: Cohort, manager: User, size: int) -> ProtectedTimeRequest:
    """Everyone's request sent; of each four after the participant's, one approved in full, one declined, one
    partly approved, one waiting. The participant's own: ``2 * size`` comments and one session approved.
    The manager names ``size`` deputies, and ``size`` people have named the manager as their line manager."""
    now = timezone.now()
    places = cohort.enrolments.filter(status="enrolled").select_related("participant").order_by("place_number")
    requests = [
        protected_time_submit(request=protected_time_request_draft(enrolment=p), actor=p.participant) for p in places
    ]
    for request in requests[1::4]:
        protected_time_approve(request=request, actor=request.enrolment.participant.line_manager)
    for request in requests[2::4]:
        protected_time_decline(request=request, actor=manager, reason="The ward is short that week.")
    for request in requests[3::4] + requests[:1]:
        protected_time_approve(request=request, actor=manager, line_ids=[first_line(request)])
    for number in range(2 * size):
        protected_time_comment(request=requests[0], actor=manager, comment=f"Which ward is it, {number}?")
    for _ in range(size):
        protected_time_delegation_create(
            manager=manager, deputy=ManagerFactory(), starts_on=now.date(), ends_on=now.date() + timedelta(days=14)
        )
        line_manager_request_create(
            staff_member=ParticipantFactory(line_manager=None), email=manager.email, first_name=manager.first_name
        )
    return requests[0]


def talk(cohort: Cohort, people: list[User], size: int) -> HelpRequest:
    """ "I'd like to talk": one open request each; ``size`` of them escalated to the service lead. Return the
    participant's."""
    requests = [help_request_create(participant=p, cohort=cohort, message="Could we talk?") for p in people]
    EscalationStep.objects.bulk_create(
        EscalationStep(ladder=HELP_LADDER, subject_id=r.pk, step=STEP_SERVICE_LEAD, fired_at=timezone.now())
        for r in requests[:size]
    )
    return requests[0]


def questionnaires(cohort: Cohort, people: list[User], measures: dict[str, Measure], size: int) -> None:
    """Baseline, mid and end for everyone but the participant (mid is due for them); ``size`` risk alerts."""
    for person in people:
        for code in ("phq-9", "gad-7"):
            scored(person, cohort, measures[code], "baseline", 14)
            if person != people[0]:
                scored(person, cohort, measures[code], "mid", 10)
                scored(person, cohort, measures[code], "end", 8 + len(person.last_name) % 5)
    item = measures["phq-9"].items.get(number=9)
    baselines = Response.objects.filter(cohort=cohort, measure=measures["phq-9"], time_point="baseline")
    RiskAlert.objects.bulk_create(RiskAlert(response=r, item=item, created_at=timezone.now()) for r in baselines[:size])


def checkins(cohort: Cohort, facilitator: User, people: list[User], size: int) -> CheckIn:
    """The facilitator's availability; for the participant ``size`` check-ins ahead and ``size`` held; for others
    ``size`` ahead and ``size`` ended but not yet recorded."""
    now = timezone.now()
    availability(facilitator, size)
    for n in range(size):
        other = people[1 + n % (len(people) - 1)]
        checkin(cohort, facilitator, people[0], now + timedelta(days=1 + n, hours=1))
        checkin(cohort, facilitator, people[0], now - timedelta(days=20 + n), status="held")
        checkin(cohort, facilitator, other, now + timedelta(days=1 + n, hours=3))
        checkin(cohort, facilitator, other, now - timedelta(days=1 + n, hours=3))
    # Booked before the offer after week 5, which is therefore still open for the participant.
    CheckIn.objects.filter(participant=people[0]).update(booked_at=now - timedelta(days=10))
    return CheckIn.objects.filter(participant=people[0], status="booked").order_by("starts_at").first()


def other_groups(programme, facilitator, participant, manager, measures, size) -> None:
    """The facilitator's ``size - 1`` other running cohorts (each of its own programme); the participant's
    ``size`` past groups (completed, boosters ahead, scores), ``size`` groups left and ``size`` invitations."""
    now = timezone.now()
    for _ in range(size - 1):
        other = running_cohort(programme_with_plans(weeks=12, boosters=2), facilitator)
        for _ in range(3):
            enrol(other, ParticipantFactory(line_manager=manager))
    elsewhere = FacilitatorFactory()
    for n in range(size):
        past = cohort_with_sessions(
            programme=programme,
            facilitators=[elsewhere],
            start_date=now.date() - timedelta(weeks=14 + n),
            holiday_region="",
            status="completed",
        )
        past.group_sessions.update(status="held", held_at=now - timedelta(weeks=2))
        boosters_schedule(cohort=past)
        for person in (participant, ParticipantFactory()):
            enrol(past, person)
        Enrolment.objects.filter(cohort=past).update(status="completed")
        scored(participant, past, measures["phq-9"], "baseline", 16)
        scored(participant, past, measures["phq-9"], "end", 9)
        left = CohortFactory(programme=programme, facilitators=[elsewhere])
        enrol(left, participant)
        Enrolment.objects.filter(cohort=left).update(status="withdrawn", place_number=None, withdrawn_at=now)
        invited = cohort_with_sessions(programme=programme, facilitators=[elsewhere], holiday_region="")
        EnrolmentFactory(cohort=invited, participant=participant, status="invited")


def service(people: list[User], viewers: tuple[User, ...], size: int) -> CrisisContact:
    """Notifications for everyone the pages are seen by (some failed), crisis contacts, audit rows."""
    for person in viewers:
        notifications(person, 3 * size, status="sent")
    notifications(viewers[0], size, status="failed")
    contacts = [
        CrisisContact.objects.create(
            region=settings.STEADY_DEFAULT_CRISIS_REGION,
            name=f"Staff support line {n}",
            number="0300 123 4567",
            position=50 + n,
        )
        for n in range(size)
    ]
    AccessLog.objects.bulk_create(
        AccessLog(actor=viewers[1], subject=p, record_type="group_sessions.CheckIn", record_id=str(n))
        for n in range(4 * size)
        for p in people[:5]
    )
    return contacts[-1]


def first_line(request: ProtectedTimeRequest) -> int:
    return request.lines.order_by("starts_at").values_list("pk", flat=True)[0]


def running_cohort(programme: Programme, facilitator: User) -> Cohort:
    start = timezone.localdate() - timedelta(weeks=HELD_WEEKS)
    return cohort_with_sessions(
        programme=programme,
        facilitators=[facilitator],
        start_date=start,
        weekday=start.weekday(),
        capacity=100,
        status="running",
        holiday_region="",
    )


def materials(programme: Programme, size: int) -> None:
    """``size`` materials per plan (released at each point in turn), and a facilitators' note per plan."""
    plans = SessionPlan.objects.filter(programme=programme)
    releases = Material.Release.values
    Material.objects.bulk_create(
        [
            Material(session_plan=plan, title=f"{plan.title} {n}", release=releases[n % len(releases)])
            for plan in plans
            for n in range(size)
        ]
        + [Material(session_plan=plan, title="Facilitator notes", audience="facilitators") for plan in plans]
    )
    plans.update(home_practice="Three soothing breaths a day.")


SCALES: dict[int, list[Scale]] = {}


def scored(person: User, cohort: Cohort, measure: Measure, time_point: str, total: int) -> Response:
    now = timezone.now()
    response = Response.objects.create(
        measure=measure,
        participant=person,
        cohort=cohort,
        time_point=time_point,
        status=Response.Status.SUBMITTED,
        started_at=now,
        submitted_at=now,
    )
    scales = SCALES.get(measure.pk) or SCALES.setdefault(measure.pk, list(Scale.objects.filter(measure=measure)))
    Score.objects.bulk_create(
        Score(response=response, scale=scale, value=Decimal(total), raw_value=Decimal(total), answered=1)
        for scale in scales
    )
    return response


def availability(facilitator: User, size: int) -> None:
    for n in range(size):
        weekly_window(facilitator, weekday=n % 5, start=f"{8 + 4 * (n // 5):02d}:00", end=f"{10 + 4 * (n // 5):02d}:00")
        day = timezone.localdate() + timedelta(days=30 + n)
        blocked_date_add(facilitator=facilitator, day=day)
        availability_slot_add(
            facilitator=facilitator, local_date=day + timedelta(days=40), start_time=datetime.time(16, 0), minutes=30
        )


def checkin(
    cohort: Cohort, facilitator: User, person: User, starts_at: datetime.datetime, status: str = "booked"
) -> CheckIn:
    return CheckIn.objects.create(
        cohort=cohort,
        facilitator=facilitator,
        participant=person,
        kind=CheckIn.Kind.ON_REQUEST,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        status=status,
        booked_by=person,
        notes="Talked about the week." if status == "held" else "",
    )


def notifications(person: User, count: int, *, status: str) -> None:
    Reminder.objects.bulk_create(
        Reminder(
            kind="session_changed",
            recipient=person,
            subject_type="accounts.user",
            subject_id=str(person.pk),
            occurrence=f"budget-{status}-{n}",
            due_at=timezone.now() - timedelta(hours=n + 1),
            status=status,
            context={"title": "Your group has moved", "body": "Thursday's session is now at two."},
        )
        for n in range(count)
    )
