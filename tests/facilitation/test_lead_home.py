"""The service lead's home: every cohort at a glance, nothing clinical, constant queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sessions.models import Attendance
from sessions.services.cohorts import enrolments_complete
from tests.factories import ServiceLeadFactory, UserFactory, cohort_with_sessions, enrol

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]


def cohorts(count: int) -> list:
    made = []
    for _ in range(count):
        cohort = cohort_with_sessions()
        place = enrol(cohort)
        Attendance.objects.create(
            group_session=cohort.group_sessions.first(),
            participant=place.participant,
            status="apologies",
            note="PLANTED-ATTENDANCE-NOTE",
        )
        made.append(cohort)
    return made


@pytest.mark.parametrize("count", [2, 10])
def test_lead_home_lists_every_cohort_in_constant_queries(client, django_assert_num_queries, count) -> None:
    made = cohorts(count)
    client.force_login(ServiceLeadFactory())
    # session, user, bell, cohorts, next sessions, progress, programmes, cover, line managers to confirm, heartbeats,
    # escalations
    with django_assert_num_queries(11):
        response = client.get(reverse("facilitation:lead_home"))
    body = response.content.decode()
    assert all(cohort.name in body for cohort in made)
    assert body.count("1/8") == count
    assert "PLANTED-ATTENDANCE-NOTE" not in body


@pytest.mark.parametrize("role", ["is_participant", "is_facilitator", "is_manager"])
def test_lead_home_is_for_service_leads_only(client, role) -> None:

    client.force_login(UserFactory(**{role: True}))
    assert client.get(reverse("facilitation:lead_home")).status_code == 403


def test_lead_home_counts_the_places_of_a_completed_cohort(client) -> None:

    cohort = cohort_with_sessions(status="running")
    places = [enrol(cohort) for _ in range(3)]
    enrolments_complete(cohort=cohort, by=cohort.facilitators.first())
    assert {p.status for p in type(places[0]).objects.filter(cohort=cohort)} == {"completed"}
    client.force_login(ServiceLeadFactory())
    assert "3/8" in client.get(reverse("facilitation:lead_home")).content.decode()
