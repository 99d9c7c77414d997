"""The check-ins demo seeds availability, bookings, a request to talk and a completed cohort with boosters, once."""

from __future__ import annotations

import pytest

from accounts import demo as accounts_demo
from core.demo import DemoContext
from sessions.checkins_demo import seed_checkins
from sessions.models import AvailabilityWindow, CheckIn, Cohort, GroupSession, HelpRequest
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
    assert HelpRequest.objects.filter(status="open").count() == 1
    assert cohort.enrolments.filter(status="completed").count() == 4


def test_seed_checkins_skips_with_a_note_without_a_programme():
    ctx = DemoContext()
    accounts_demo.seed(ctx)
    seed_checkins(ctx)
    assert "skipped" in ctx.notes[-1]
    assert not Cohort.objects.exists()
