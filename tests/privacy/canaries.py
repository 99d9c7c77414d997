"""A running cohort with a unique string (a canary) planted through the services in every clinical field.

``plant_canaries`` takes the whole world of ``tests/support/world.py`` (the participant, her line manager
and his deputy, another manager, the service lead, the facilitator, a participant in the same cohort and
one elsewhere), walks her cohort from two weeks before its start to its second week, and writes each
canary the way a person would: through the service a view calls, into the records the world's URL
resolver points at where it has them (her check-in, her help request, her risk alert, the sessions).
Between steps it runs every periodic job and sends every due reminder at once, so the in-app notices and
``mail.outbox`` hold everything Steady sent on the way.

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

from accounts.models import User
from core.tasks import escalation_ladders_walk
from facilitation.models import ProtectedTimeRequest
from facilitation.services.protected_time import protected_time_request_draft, protected_time_submit
from facilitation.tasks import protected_time_weekly_digest
from measures.models import Item, Measure, Score
from measures.services import (
    measure_schedule_add,
    response_answer,
    response_start,
    response_submit,
    risk_alert_acknowledge,
)
from measures.tasks import questionnaire_reminders
from programmes.models import Programme
from reminders.tasks import reminders_dispatch
from sessions.models import CheckIn, GroupSession, HelpRequest, PlaceOverride
from sessions.services.attendance import apologies_send, attendance_record
from sessions.services.calendar_feeds import calendar_feed_ensure
from sessions.services.checkins import blocked_date_add, checkin_record
from sessions.services.enrolments import enrolment_withdraw
from sessions.services.group_sessions import group_notes_update, group_session_hold
from sessions.services.help_requests import help_request_create, help_request_handle
from sessions.services.invitations import enrolment_invite
from sessions.tasks import cohorts_complete_ended, waitlists_tell_closed
from tests.factories import ParticipantFactory, enrol
from tests.support.world import World

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
    superuser: object
    other_facilitator: object
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
    response = response_start(
        measure=measure, participant=participant, cohort=cohort, time_point="baseline", by=participant
    )
    pattern = [5, 5, 5, 5, 5, 4, 5, 3, 4, 4, 5, 1]  # 41 after reversing items 1, 4, 8, 9, 11, 12: 3.42
    for item, value in zip(Item.objects.filter(measure=measure).order_by("number"), pattern, strict=True):
        response_answer(response=response, item=item, value=value, by=participant)
    response_submit(response=response, by=participant)
    return Score.objects.get(response=response).value


def plant_canaries(base: World) -> Planted:
    """Plant every canary in ``base`` (tests/support/world.py) through the services; run the jobs on the way.

    The records the world's URL resolver points at ("the participant"'s check-in, help request, risk alert,
    cohort and sessions) are the ones that receive the canaries.
    """
    people, objects = base.people, base.objects
    facilitator, amara, cohort = people["facilitator"], people["participant"], objects["cohort"]
    world = Planted(
        facilitator=facilitator,
        participant=amara,
        manager=people["manager"],
        deputy=people["deputy"],
        other_manager=people["other_manager"],
        lead=people["lead"],
        same_cohort=people["same_cohort"],
        elsewhere=people["elsewhere"],
        superuser=people["superuser"],
        other_facilitator=people["other_facilitator"],
        cohort=cohort,
        other_cohort=objects["other_cohort"],
    )
    with at(datetime.datetime(2026, 6, 1, 7, 30, tzinfo=UTC)):
        # The lead opens the admin; the group closes to newcomers once week 1 is held.
        User.objects.filter(pk=world.lead.pk).update(is_staff=True)
        Programme.objects.filter(pk=cohort.programme_id).update(join_closes_after_week=1)
        dara = ParticipantFactory(first_name="Dara", line_manager=world.manager)
        eve = ParticipantFactory(first_name="Eve", line_manager=world.manager)
        dara_place = enrol(cohort, dara)
        request = protected_time_request_draft(enrolment=dara_place)
        _committed(lambda: protected_time_submit(request=request, actor=dara))
        # The other manager's staff ask for their time too, so his inbox, digests and reminders have rows.
        for place in (objects["same_cohort_enrolment"], objects["elsewhere_enrolment"]):
            drafted = ProtectedTimeRequest.objects.get(enrolment=place)
            _committed(
                lambda drafted=drafted: protected_time_submit(request=drafted, actor=drafted.enrolment.participant)
            )
        for person in (*[p for p in people.values() if p is not None], dara, eve):
            calendar_feed_ensure(user=person)

        blocked_date_add(
            facilitator=facilitator,
            day=datetime.date(2026, 6, 11),
            reason=world.plant("group_sessions.BlockedDate", "reason", "the facilitator's note on a day off"),
        )
        risk_alert_acknowledge(
            alert=objects["risk_alert"],
            note=world.plant("measures.RiskAlert", "action_note", "what the facilitator did about a risk answer"),
            by=facilitator,
        )
        measures = {measure.code: measure for measure in Measure.objects.all()}
        measure_schedule_add(programme=cohort.programme, measure=measures["scs-sf"], time_point="baseline", week=None)
        score = _committed(lambda: _answer_scs_sf(amara, cohort, measures))
        assert score is not None and score != score.to_integral_value() and (score * 4) % 1 != 0, score
        world.plant("measures.Score", "value", "the participant's SCS-SF mean score", value=f"{score:.2f}")

        help_request_handle(
            actor=facilitator,
            help_request=objects["help_request"],
            note=world.plant("group_sessions.HelpRequest", "handled_note", "what the facilitator did"),
        )
        first = _committed(
            lambda: help_request_create(
                participant=amara,
                cohort=cohort,
                message=world.plant("group_sessions.HelpRequest", "message", "an 'I'd like to talk' message"),
            )
        )
        help_request_handle(actor=facilitator, help_request=first, note="Called her back.")
    for moment in JOB_TIMES[:2]:
        with at(moment):
            run_jobs()

    with at(CHECKIN_AT + datetime.timedelta(hours=2)):
        checkin_record(
            actor=facilitator,
            checkin=objects["checkin"],
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
                message=world.plant(
                    "group_sessions.HelpRequest", "message", "a request left open", canary("open-help")
                ),
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
        attendance_record(group_session=week_1, participant=world.same_cohort, status="present", by=facilitator)
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
                enrolment=dara_place,
                reason=world.plant("group_sessions.Enrolment", "withdrawal_reason", "why Dara left"),
                by=dara,
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
