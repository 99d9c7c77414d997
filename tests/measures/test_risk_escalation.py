"""An unacknowledged risk alert climbs the escalation ladder on the help-request deadlines, each step once."""

from __future__ import annotations

import datetime
from datetime import UTC

import pytest
import time_machine

from core.services import escalation_ladder_walk
from measures.escalation_ladders import RISK_LADDER
from measures.models import RiskAlert
from measures.reminder_kinds import RISK_ALERT_ESCALATED_KIND, RISK_ALERT_OVERDUE_KIND
from measures.services import response_submit, risk_alert_acknowledge
from reminders.models import Reminder
from reminders.rendering import render_parts
from tests.factories import FacilitatorFactory
from tests.measures.builders import scheduled_cohort
from tests.measures.test_risk import answered

pytestmark = [pytest.mark.measures, pytest.mark.safety, pytest.mark.django_db]

RAISED = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=UTC)  # a Monday, no bank holiday
FACILITATORS_DUE = datetime.datetime(2027, 3, 3, 10, 0, tzinfo=UTC)  # two working days later (as a help request)
LEAD_DUE = datetime.datetime(2027, 3, 4, 10, 0, tzinfo=UTC)  # one working day after that


@pytest.fixture
def alert(measures, facilitator, service_lead) -> RiskAlert:
    with time_machine.travel(RAISED, tick=False):
        cohort, (person,) = scheduled_cohort(measures, facilitators=[facilitator, FacilitatorFactory()], participants=1)
        response = answered(measures, person, cohort, [0] * 8 + [1])
        response_submit(response=response, by=person)
    return RiskAlert.objects.get()


def sent(kind: str) -> list[Reminder]:
    return list(Reminder.objects.filter(kind=kind).select_related("recipient"))


def walk(at: datetime.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return escalation_ladder_walk(ladder=RISK_LADDER, now=at)


def test_an_unacknowledged_risk_alert_climbs_the_escalation_ladder_each_step_once(alert, service_lead) -> None:
    assert walk(FACILITATORS_DUE - datetime.timedelta(minutes=1)) == 0
    assert sent(RISK_ALERT_OVERDUE_KIND) == []

    assert walk(FACILITATORS_DUE) == 1
    assert walk(FACILITATORS_DUE + datetime.timedelta(minutes=5)) == 0  # the next beat: nothing again
    facilitators = set(alert.response.cohort.facilitators.values_list("pk", flat=True))
    assert {row.recipient_id for row in sent(RISK_ALERT_OVERDUE_KIND)} == facilitators
    assert len(sent(RISK_ALERT_OVERDUE_KIND)) == len(facilitators) == 2
    assert sent(RISK_ALERT_ESCALATED_KIND) == []

    assert walk(LEAD_DUE) == 1
    assert walk(LEAD_DUE + datetime.timedelta(hours=1)) == 0
    [to_lead] = sent(RISK_ALERT_ESCALATED_KIND)
    assert to_lead.recipient == service_lead
    subject, text, _html = render_parts(to_lead)
    assert alert.response.cohort.name in text
    assert "risk" not in subject.lower() and "phq" not in (subject + text).lower()


def test_an_acknowledged_alert_climbs_no_further(alert, facilitator) -> None:
    with time_machine.travel(RAISED + datetime.timedelta(hours=2), tick=False):
        risk_alert_acknowledge(alert=alert, note="Phoned them; a check-in is booked.", by=facilitator)
    assert walk(LEAD_DUE) == 0
    assert sent(RISK_ALERT_OVERDUE_KIND) == [] and sent(RISK_ALERT_ESCALATED_KIND) == []
