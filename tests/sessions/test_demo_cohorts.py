"""The demo cohorts: a recruiting one next week, a running one in its sixth week, idempotent."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import demo as accounts_demo
from core.demo import DemoContext
from facilitation import demo as facilitation_demo
from sessions import demo
from sessions.models import Attendance, Cohort, Enrolment
from tests.factories import programme_with_plans

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]


def seeded_context() -> DemoContext:
    ctx = DemoContext()
    accounts_demo.seed(ctx)
    ctx.objects["programme"] = programme_with_plans(neutral_label="Staff wellbeing group")
    demo.seed(ctx)
    facilitation_demo.seed(ctx)
    return ctx


def test_demo_seeds_two_cohorts_once(client):
    ctx = seeded_context()
    demo.seed(ctx)
    running = Cohort.objects.get(name=demo.RUNNING_NAME)
    recruiting = Cohort.objects.get(name=demo.RECRUITING_NAME)
    # The running and recruiting cohorts, and the completed one the check-ins demo adds for boosters.
    assert Cohort.objects.count() == 3
    assert Cohort.objects.get(status="completed").group_sessions.filter(kind="booster").count() == 2
    assert running.status == "running" and recruiting.status == "recruiting"

    behind = running.group_sessions.filter(ends_at__lt=timezone.now())
    assert behind.count() >= 4
    assert set(behind.values_list("status", flat=True)) == {"held"}
    assert Attendance.objects.filter(group_session__cohort=running).count() >= 40
    states = set(Enrolment.objects.filter(cohort=recruiting).values_list("status", flat=True))
    assert states == {"enrolled", "acknowledged", "invited"}
    assert set(running.facilitators.all()) == {ctx.objects["facilitator"], ctx.objects["cofacilitator"]}

    client.force_login(ctx.objects["participants"][0])
    body = client.get(reverse("facilitation:participant_home")).content.decode()
    assert "Week 6 theme" in body
    client.force_login(ctx.objects["facilitator"])
    body = client.get(reverse("facilitation:facilitator_home")).content.decode()
    assert "Lena (Lunchtime group) missed the last two sessions" in body


def test_demo_without_programme_leaves_a_note():
    ctx = DemoContext()
    accounts_demo.seed(ctx)
    demo.seed(ctx)
    assert not Cohort.objects.exists()
    assert any("no published programme" in note for note in ctx.notes)
