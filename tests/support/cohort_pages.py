"""A running cohort with a full history, and a page fetched under a query budget: for the pages' query-count tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from facilitation.services.protected_time import protected_time_request_draft
from programmes.models import Material, SessionPlan
from sessions.models import Attendance, Cohort, GroupSession
from sessions.services.help_requests import help_request_create
from tests.factories import cohort_with_sessions, enrol


def running_cohort(size: int, *, held: int = 5) -> Cohort:
    """A cohort in its sixth week: ``held`` sessions held with a full register, materials on every plan."""
    start = timezone.localdate() - datetime.timedelta(weeks=held)
    cohort = cohort_with_sessions(
        start_date=start, capacity=max(size, 8), status="running", holiday_region="", weekday=start.weekday()
    )
    places = [enrol(cohort) for _ in range(size)]
    plans = SessionPlan.objects.filter(programme=cohort.programme)
    Material.objects.bulk_create(
        [
            Material(session_plan=plan, title=f"{plan.title} {release}", release=release)
            for plan in plans
            for release in Material.Release.values
        ]
        + [Material(session_plan=plan, title="Facilitator notes", audience="facilitators") for plan in plans]
    )
    SessionPlan.objects.filter(programme=cohort.programme).update(home_practice="Three soothing breaths a day.")
    done = list(cohort.group_sessions.order_by("number")[:held])
    GroupSession.objects.filter(pk__in=[s.pk for s in done]).update(status="held", held_at=timezone.now())
    Attendance.objects.bulk_create(
        [Attendance(group_session=s, participant=p.participant, status="present") for s in done for p in places]
    )
    for place in places:
        # Each place has its protected-time request and an "I'd like to talk" request, as in real life.
        protected_time_request_draft(enrolment=place)
        help_request_create(participant=place.participant, cohort=cohort, message="Could we talk?")
    return cohort


def measured(client, url, count, django_assert_num_queries):
    with django_assert_num_queries(count):
        response = client.get(url)
    assert response.status_code == 200
    return response
