"""A running cohort with a unique string (a canary) planted through the services in every clinical field.

``plant_canaries`` builds the people (the participant, her line manager and his deputy, another manager,
the service lead, the facilitator, a participant in the same cohort and one elsewhere), walks the cohort
from four weeks before to its second week, and writes each canary the way a person would: through the
service a view calls. Between steps it runs every periodic job and sends every due reminder at once, so
the in-app notices and ``mail.outbox`` hold everything Steady sent on the way.

Measure answers are numbers: the participant answers the SCS-SF (scored as a mean, two decimals) so
that her score is a decimal no other page has cause to show, and that score is the measure canary.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from decimal import Decimal

import time_machine
from django.test import TestCase

from core.tasks import escalation_ladders_walk
from facilitation.services.delegations import protected_time_delegation_create
from facilitation.services.protected_time import protected_time_request_draft, protected_time_submit
from facilitation.tasks import protected_time_weekly_digest
from measures.models import Item, Measure, Score
from measures.services import (
    measure_schedule_add,
    measures_load_builtin,
    response_answer,
    response_start,
    response_submit,
    risk_alert_acknowledge,
)
from measures.tasks import questionnaire_reminders
from reminders.tasks import reminders_dispatch
from sessions.models import CheckIn, GroupSession, HelpRequest, PlaceOverride
from sessions.services.attendance import apologies_send, attendance_record
from sessions.services.calendar_feeds import calendar_feed_ensure
from sessions.services.checkins import blocked_date_add, checkin_book, checkin_record
from sessions.services.enrolments import enrolment_withdraw
from sessions.services.group_sessions import group_notes_update, group_session_hold
from sessions.services.help_requests import help_request_create, help_request_handle
from sessions.services.invitations import enrolment_invite
from sessions.tasks import cohorts_complete_ended, waitlists_tell_closed
from tests.factories import (
    FacilitatorFactory,
    ManagerFactory,
    ParticipantFactory,
    ServiceLeadFactory,
    cohort_with_sessions,
    enrol,
    programme_with_plans,
)
from tests.sessions.factories_checkins import weekly_window

START = datetime.date(2026, 6, 15)  # a Monday: week 1 at 13:00 in London (12:00 UTC)
CHECKIN_AT = datetime.datetime(2026, 6, 8, 8, tzinfo=UTC)  # Monday 8 June, 09:00 in London
# When the jobs run (daytime in London, outside quiet hours), and the last one is when the crawl happens.
JOB_TIMES = [
    datetime.datetime(2026, 6, 1, 12, tzinfo=UTC),
    datetime.datetime(2026, 6, 3, 12, tzinfo=UTC),
    datetime.datetime(2026, 6, 8, 12, tzinfo=UTC),
    datetime.datetime(2026, 6, 10, 12, tzinfo=UTC),
    datetime.datetime(2026, 6, 11, 12, tzinfo=UTC),
    datetime.datetime(2026, 6, 12, 12, tzinfo=UTC),
    datetime.datetime(2026, 6, 14, 13, tzinfo=UTC),
    datetime.datetime(2026, 6, 15, 15, tzinfo=UTC),
    datetime.datetime(2026, 6, 16, 12, tzinfo=UTC),
    datetime.datetime(2026, 6, 21, 13, tzinfo=UTC),
    datetime.datetime(2026, 6, 22, 8, 30, tzinfo=UTC),
]
CRAWL_AT = JOB_TIMES[-1]


def canary(name: str) -> str:
    return f"CANARY-{name}-{secrets.token_hex(4)}"


@dataclass
class Planted:
    """Who is who, and each canary by what it was planted as ("model.field: how")."""

    facilitator: object
    participant: object
    manager: object
    deputy: object
    other_manager: object
    lead: object
    same_cohort: object
    elsewhere: object
    cohort: object
    other_cohort: object
    canaries: dict[str, str] = field(default_factory=dict)  # label -> planted string
    fields: dict[str, set[str]] = field(default_factory=dict)  # "app.Model" -> fields planted

    def plant(self, model: str, name: str, how: str, value: str | None = None) -> str:
        value = value or canary(f"{model.split('.')[1]}-{name}")
        self.canaries[f"{model}.{name}: {how}"] = value
        self.fields.setdefault(model, set()).add(name)
        return value


def run_jobs() -> None:
    """Every periodic job once, then send what is due (tasks run eagerly)."""
    escalation_ladders_walk()
    protected_time_weekly_digest()
    cohorts_complete_ended()
    waitlists_tell_closed()
    questionnaire_reminders()
    reminders_dispatch()


@contextmanager
def at(moment: datetime.datetime) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield


def _committed(action: Callable[[], object]) -> object:
    """Run ``action`` and then what it left for the commit (emails, a wake-up of the reminder engine)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return action()


def _answer_scs_sf(participant, cohort, measures: dict[str, Measure]) -> Decimal:
    """Answer the SCS-SF so that the mean score has two decimals that nothing else on a page shows."""
    measure = measures["scs-sf"]
    response = response_start(measure=measure, participant=participant, cohort=cohort, time_point="baseline", by=participant)
    pattern = [5, 5, 5, 5, 5, 4, 5, 3, 4, 4, 5, 1]  # 41 after reversing items 1, 4, 8, 9, 11, 12: 3.42
    for item, value in zip(Item.objects.filter(measure=measure).order_by("number"), pattern, strict=True):
        response_answer(response=response, item=item, value=value, by=participant)
    response_submit(response=response, by=participant)
    return Score.objects.get(response=response).value


def _answer_phq_9_with_risk(participant, cohort, measures: dict[str, Measure]):
    """Answer the PHQ-9 with its risk item (9) above 0: a risk alert for the facilitators."""
    measure = measures["phq-9"]
    response = response_start(measure=measure, participant=participant, cohort=cohort, time_point="baseline", by=participant)
    for item in Item.objects.filter(measure=measure).order_by("number"):
        response_answer(response=response, item=item, value=1 if item.number == 9 else 2, by=participant)
    response_submit(response=response, by=participant)
    return response.risk_alert


def plant_canaries() -> Planted:
    """Build the world and plant every canary through the services; run the jobs on the way."""
    with at(datetime.datetime(2026, 6, 1, 7, tzinfo=UTC)):
        manager = ManagerFactory(first_name="Helen")
        deputy = ManagerFactory(first_name="Idris")
        other_manager = ManagerFactory(first_name="Joan")
        lead = ServiceLeadFactory(first_name="Lena", is_staff=True)
        facilitator = FacilitatorFactory(first_name="Farah")
        other_facilitator = FacilitatorFactory(first_name="Gus")
        amara = ParticipantFactory(first_name="Amara", line_manager=manager)
        dev = ParticipantFactory(first_name="Dev", line_manager=manager)
        ben = ParticipantFactory(first_name="Ben", line_manager=other_manager)
        cara = ParticipantFactory(first_name="Cara", line_manager=other_manager)
        eve = ParticipantFactory(first_name="Eve", line_manager=manager)

        programme = programme_with_plans(weeks=6, boosters=1, join_closes_after_week=1)
        cohort = cohort_with_sessions(
            programme=programme, facilitators=[facilitator], start_date=START, name="Tuesday group"
        )
        other_cohort = cohort_with_sessions(
            programme=programme_with_plans(weeks=6, boosters=1),
            facilitators=[other_facilitator],
            start_date=START,
            name="Thursday group",
        )
        world = Planted(
            facilitator=facilitator,
            participant=amara,
            manager=manager,
            deputy=deputy,
            other_manager=other_manager,
            lead=lead,
            same_cohort=ben,
            elsewhere=cara,
            cohort=cohort,
            other_cohort=other_cohort,
        )
        places = {person: enrol(cohort, person) for person in (amara, dev, ben)}
        places[cara] = enrol(other_cohort, cara)
        for person, place in places.items():
            request = protected_time_request_draft(enrolment=place)
            _committed(lambda request=request, person=person: protected_time_submit(request=request, actor=person))
        protected_time_delegation_create(
            manager=manager, deputy=deputy, starts_on=datetime.date(2026, 6, 1), ends_on=datetime.date(2026, 7, 31)
        )
        for person in (amara, dev, ben, cara, eve, manager, deputy, other_manager, lead, facilitator):
            calendar_feed_ensure(user=person)

        weekly_window(facilitator, weekday=0, start="09:00", end="11:00", minutes=30)
        checkin = _committed(
            lambda: checkin_book(
                actor=amara, participant=amara, facilitator=facilitator, cohort=cohort, kind="pre_group", starts_at=CHECKIN_AT
            )
        )
        blocked_date_add(
            facilitator=facilitator,
            day=datetime.date(2026, 6, 10),
            reason=world.plant("group_sessions.BlockedDate", "reason", "the facilitator's note on a day off"),
        )

        measures = {measure.code: measure for measure, _state in measures_load_builtin()}
        for code in ("phq-9", "scs-sf"):
            measure_schedule_add(programme=programme, measure=measures[code], time_point="baseline", week=None)
        alert = _committed(lambda: _answer_phq_9_with_risk(amara, cohort, measures))
        risk_alert_acknowledge(
            alert=alert,
            note=world.plant("measures.RiskAlert", "action_note", "what the facilitator did about a risk answer"),
            by=facilitator,
        )
        score = _committed(lambda: _answer_scs_sf(amara, cohort, measures))
        assert score is not None and score != score.to_integral_value() and (score * 2) % 1 != 0, score
        world.plant("measures.Score", "value", "the participant's SCS-SF mean score", value=f"{score:.2f}")

        first = _committed(
            lambda: help_request_create(
                participant=amara,
                cohort=cohort,
                message=world.plant("group_sessions.HelpRequest", "message", "an 'I'd like to talk' message"),
            )
        )
        help_request_handle(
            actor=facilitator,
            help_request=first,
            note=world.plant("group_sessions.HelpRequest", "handled_note", "what the facilitator did"),
        )
    for moment in JOB_TIMES[:2]:
        with at(moment):
            run_jobs()

    with at(CHECKIN_AT + datetime.timedelta(hours=2)):
        checkin_record(
            actor=facilitator,
            checkin=checkin,
            status=CheckIn.Status.HELD,
            notes=world.plant("group_sessions.CheckIn", "notes", "private check-in notes"),
            follow_up_actions=world.plant("group_sessions.CheckIn", "follow_up_actions", "check-in follow-ups"),
            shared_summary=world.plant("group_sessions.CheckIn", "shared_summary", "summary shared with her"),
        )
        # A second request, left open: it climbs the ladder to the facilitators and then the service lead.
        _committed(
            lambda: help_request_create(
                participant=amara,
                cohort=cohort,
                message=world.plant("group_sessions.HelpRequest", "message", "a request left open", canary("open-help")),
            )
        )
    assert HelpRequest.objects.filter(participant=amara, status=HelpRequest.Status.OPEN).count() == 1
    for moment in JOB_TIMES[2:7]:
        with at(moment):
            run_jobs()

    week_1, week_2 = GroupSession.objects.filter(cohort=cohort, kind="weekly").order_by("number")[:2]
    with at(datetime.datetime(2026, 6, 15, 14, tzinfo=UTC)):
        attendance_record(
            group_session=week_1,
            participant=amara,
            status="late",
            by=facilitator,
            note=world.plant("group_sessions.Attendance", "note", "the register's note on her"),
        )
        attendance_record(group_session=week_1, participant=ben, status="present", by=facilitator)
        _committed(lambda: group_session_hold(group_session=week_1, by=facilitator))
        group_notes_update(
            group_session=week_1,
            notes=world.plant("group_sessions.GroupSession", "group_notes", "the session's group notes"),
            by=facilitator,
        )
        _committed(
            lambda: apologies_send(
                group_session=week_2,
                participant=amara,
                note=world.plant("group_sessions.Attendance", "note", "her apologies", canary("apologies")),
            )
        )
        _committed(
            lambda: enrolment_withdraw(
                enrolment=places[dev],
                reason=world.plant("group_sessions.Enrolment", "withdrawal_reason", "why Dev left"),
                by=dev,
            )
        )
        # The group closed to newcomers when week 1 was held: adding Eve needs the facilitator's reason.
        _committed(
            lambda: enrolment_invite(
                cohort=cohort,
                email=eve.email,
                by=facilitator,
                reason=world.plant("group_sessions.PlaceOverride", "reason", "why Eve may still join"),
            )
        )
        override = PlaceOverride.objects.get(cohort=cohort, email=eve.email)
        # The warning is Steady's own sentence, not typed: it is the canary as stored.
        world.plant("group_sessions.PlaceOverride", "warning", "the warning she was let in against", override.warning)
    for moment in JOB_TIMES[7:]:
        with at(moment):
            run_jobs()
    return world
