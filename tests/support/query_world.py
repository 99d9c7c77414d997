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
from programmes.models import Material, Programme, SessionPlan
from reminders.models import Reminder
from sessions.escalation_ladders import HELP_LADDER, STEP_SERVICE_LEAD
from sessions.models import Attendance, CalendarFeed, CheckIn, CheckinOffer, Cohort, Enrolment, GroupSession
from sessions.services.boosters import boosters_schedule
from sessions.services.calendar_feeds import calendar_feed_ensure
from sessions.services.checkins import availability_slot_add, blocked_date_add
from sessions.services.help_requests import help_request_create
from tests.factories import (
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
    size: int
    participant: User  # holds a place in the main cohort and ``size`` past places
    facilitator: User  # runs the main cohort and ``size - 1`` others
    manager: User  # line manager of everyone in the facilitator's cohorts
    lead: User
    cohort: Cohort  # the main cohort, running
    group_session: GroupSession  # the main cohort's last held session, with a full register
    programme: Programme  # the main cohort's
    long_programme: Programme  # 4 weeks per unit, for the library's pages
    protected_time_request: ProtectedTimeRequest  # the participant's, submitted, with comments
    feed: CalendarFeed  # the facilitator's calendar address
    crisis_contact: CrisisContact


def world(size: int) -> World:
    """Build the service at ``size`` (1 or 10); call inside a transaction that is rolled back."""
    now = timezone.now()
    measures = {measure.code: measure for measure, _state in measures_load_builtin()}
    gad7 = (DATA_DIR / "gad-7.yaml").read_text()
    for version in range(2, size + 2):  # the register lists every version
        measure_load(definition=parse_definition(gad7.replace("\nversion: 1\n", f"\nversion: {version}\n", 1)))
    lead, manager, facilitator = ServiceLeadFactory(), ManagerFactory(), FacilitatorFactory()
    participant = ParticipantFactory(line_manager=manager)
    programme = programme_with_plans(weeks=12, boosters=2)
    schedule(programme, measures)
    materials(programme, size)
    long_programme = programme_with_plans(weeks=4 * size, boosters=2)
    materials(long_programme, size)

    cohort = running_cohort(programme, facilitator)
    people = [participant] + [
        ParticipantFactory(line_manager=manager, team=f"Ward {n % 3}", directorate=("Medicine", "Surgery")[n % 2])
        for n in range(PLACES_PER_SIZE * size - 1)
    ]
    places = [enrol(cohort, person) for person in people]
    held = list(cohort.group_sessions.filter(kind="weekly").order_by("number")[:HELD_WEEKS])
    GroupSession.objects.filter(pk__in=[s.pk for s in held]).update(status="held", held_at=now - timedelta(days=7))
    Attendance.objects.bulk_create(
        Attendance(group_session=s, participant=p, status="present") for s in held for p in people
    )
    upcoming = cohort.group_sessions.filter(status="scheduled").order_by("starts_at").first()
    Attendance.objects.bulk_create(
        Attendance(group_session=upcoming, participant=p, status="apologies") for p in people[:size]
    )
    for _ in range(size):  # invited, and waiting for a place
        EnrolmentFactory(cohort=cohort, participant=ParticipantFactory(line_manager=manager), status="invited")
        EnrolmentFactory(cohort=cohort, participant=ParticipantFactory(line_manager=manager), status="waitlisted")
    CheckinOffer.objects.bulk_create(
        CheckinOffer(cohort=cohort, group_session=held[-1], participant=p, offered_by=facilitator) for p in people
    )

    requests = [
        protected_time_submit(request=protected_time_request_draft(enrolment=p), actor=p.participant) for p in places
    ]
    # Protected time: everyone's request sent to the manager; of the rest of each four, one approved in full,
    # one declined, one partly approved; the participant's own has comments and one session approved.
    for request in requests[1::4]:
        protected_time_approve(request=request, actor=manager)
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

    # "I'd like to talk": one each, open; ``size`` of them escalated to the service lead.
    help_requests = [help_request_create(participant=p, cohort=cohort, message="Could we talk?") for p in people]
    EscalationStep.objects.bulk_create(
        EscalationStep(ladder=HELP_LADDER, subject_id=r.pk, step=STEP_SERVICE_LEAD, fired_at=now)
        for r in help_requests[:size]
    )

    # Questionnaires: baseline, mid and end for everyone, a risk alert for ``size`` of them.
    for person in people:
        for code in ("phq-9", "gad-7"):
            scored(person, cohort, measures[code], "baseline", 14)
            scored(person, cohort, measures[code], "mid", 10)
            scored(person, cohort, measures[code], "end", 8 + len(person.last_name) % 5)
    item = measures["phq-9"].items.get(number=9)
    baselines = Response.objects.filter(cohort=cohort, measure=measures["phq-9"], time_point="baseline")
    RiskAlert.objects.bulk_create(RiskAlert(response=r, item=item, created_at=now) for r in baselines[:size])

    # Check-ins with the facilitator: ``size`` ahead and ``size`` held for the participant, ``size`` ahead for others.
    availability(facilitator, size)
    for n in range(size):
        checkin(cohort, facilitator, participant, now + timedelta(days=1 + n, hours=1))
        checkin(cohort, facilitator, participant, now - timedelta(days=20 + n), status="held")
        checkin(cohort, facilitator, people[(n + 1) % len(people)], now + timedelta(days=1 + n, hours=3))

    # The facilitator's other running cohorts (each of its own programme), and the participant's past groups
    # (completed, boosters ahead).
    for _ in range(size - 1):
        other = running_cohort(programme_with_plans(weeks=12, boosters=2), facilitator)
        for _ in range(3):
            enrol(other, ParticipantFactory(line_manager=manager))
    past_facilitator = FacilitatorFactory()
    for n in range(size):
        past = cohort_with_sessions(
            programme=programme,
            facilitators=[past_facilitator],
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

    # Notifications for everyone the pages are seen by; some failed, for the operations page.
    for person in (participant, facilitator, manager, lead):
        notifications(person, 3 * size, status="sent")
    notifications(participant, size, status="failed")
    crisis_contact = None
    for n in range(size):
        crisis_contact = CrisisContact.objects.create(
            region="GB", name=f"Staff support line {n}", number="0300 123 4567", position=50 + n
        )
    AccessLog.objects.bulk_create(
        AccessLog(actor=facilitator, subject=p, record_type="group_sessions.CheckIn", record_id=str(n))
        for n in range(4 * size)
        for p in people[:5]
    )
    return World(
        size=size,
        participant=participant,
        facilitator=facilitator,
        manager=manager,
        lead=lead,
        cohort=cohort,
        group_session=held[-1],
        programme=programme,
        long_programme=long_programme,
        protected_time_request=requests[0],
        feed=calendar_feed_ensure(user=facilitator),
        crisis_contact=crisis_contact,
    )


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
    """``size`` materials per plan at each release, and ``size`` facilitators' notes per plan."""
    plans = SessionPlan.objects.filter(programme=programme)
    Material.objects.bulk_create(
        [
            Material(session_plan=plan, title=f"{plan.title} {release} {n}", release=release)
            for plan in plans
            for release in Material.Release.values
            for n in range(size)
        ]
        + [
            Material(session_plan=plan, title=f"Facilitator notes {n}", audience="facilitators")
            for plan in plans
            for n in range(size)
        ]
    )
    plans.update(home_practice="Three soothing breaths a day.")


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
    Score.objects.bulk_create(
        Score(response=response, scale=scale, value=Decimal(total), raw_value=Decimal(total), answered=1)
        for scale in Scale.objects.filter(measure=measure)
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
