"""The check-ins demo seeds availability, bookings, a request to talk and a completed cohort with boosters, once."""

from __future__ import annotations

import pytest

from accounts import demo as accounts_demo
from core.demo import DemoContext
from core.models import EscalationStep
from sessions.checkins_demo import seed_checkins
from sessions.models import AvailabilityWindow, CheckIn, Cohort, GroupSession, HelpRequest
from sessions.selectors.help_requests import help_requests_escalated_to_lead
from tests.factories import programme_with_plans

pytestmark = [pytest.mark.checkins, pytest.mark.django_db]


def test_seed_checkins_is_idempotent_and_makes_what_the_demo_needs():
    ctx = DemoContext()
    accounts_demo.seed(ctx)
    ctx.objects["programme"] = programme_with_plans()
    for _run in range(2):
        seed_checkins(ctx)
    facilitator = ctx.objects["facilitator"]
    cohort = Cohort.objects.get(status="completed")
    assert AvailabilityWindow.objects.filter(facilitator=facilitator).count() == 2
    assert GroupSession.objects.filter(cohort=cohort, kind="booster").count() == 2
    assert CheckIn.objects.filter(facilitator=facilitator, status="booked").count() == 3
    assert HelpRequest.objects.filter(status="open").count() == 2  # one new, one escalated to the service lead
    assert EscalationStep.objects.filter(ladder="help_request").count() == 2  # fired once, though seeded twice
    assert [r.cohort for r in help_requests_escalated_to_lead()] == [cohort]
    assert cohort.enrolments.filter(status="completed").count() == 4


def test_seed_checkins_skips_with_a_note_without_a_programme():
    ctx = DemoContext()
    accounts_demo.seed(ctx)
    seed_checkins(ctx)
    assert "skipped" in ctx.notes[-1]
    assert not Cohort.objects.exists()
