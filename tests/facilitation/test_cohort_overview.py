"""Facilitator home keeps completed cohorts with boosters ahead; the lead's read-only cohort page; week progress."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from sessions.models import Attendance, CheckIn, GroupSession, HelpRequest
from sessions.services.boosters import boosters_schedule
from tests.factories import ServiceLeadFactory, UserFactory, cohort_with_sessions, enrol

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]


def finished_cohort_with_boosters():
    cohort = cohort_with_sessions(status="running")
    enrol(cohort)
    weekly = cohort.group_sessions.filter(kind="weekly")
    weekly.update(status="held")
    boosters_schedule(cohort=cohort)
    type(cohort).objects.filter(pk=cohort.pk).update(status="completed")
    last = weekly.order_by("-starts_at").first()
    return cohort, last


def test_completed_cohort_with_boosters_ahead_stays_on_the_facilitator_home(client) -> None:
    cohort, last = finished_cohort_with_boosters()
    facilitator = cohort.facilitators.first()
    with time_machine.travel(last.starts_at + datetime.timedelta(days=7), tick=False):
        client.force_login(facilitator)
        body = client.get(reverse("facilitation:facilitator_home")).content.decode()
        assert cohort.name in body
        assert "Follow-up sessions ahead" in body
    final = cohort.group_sessions.filter(kind="booster").order_by("-starts_at").first()
    with time_machine.travel(final.ends_at + datetime.timedelta(days=1), tick=False):
        client.force_login(facilitator)
        assert cohort.name not in client.get(reverse("facilitation:facilitator_home")).content.decode()


def test_rows_show_week_progress(client) -> None:
    cohort = cohort_with_sessions(status="running")
    sixth = cohort.group_sessions.filter(kind="weekly").order_by("starts_at")[5]
    with time_machine.travel(sixth.starts_at + datetime.timedelta(hours=2), tick=False):
        client.force_login(ServiceLeadFactory())
        assert "Week 6 of 12" in client.get(reverse("facilitation:lead_home")).content.decode()
        client.force_login(cohort.facilitators.first())
        assert "Week 6 of 12" in client.get(reverse("facilitation:facilitator_home")).content.decode()


def planted(cohort):
    place = enrol(cohort)
    held = cohort.group_sessions.order_by("starts_at").first()
    GroupSession.objects.filter(pk=held.pk).update(status="held")
    Attendance.objects.create(group_session=held, participant=place.participant, status="present", note="PLANTED-NOTE")
    HelpRequest.objects.create(participant=place.participant, cohort=cohort, message="PLANTED-HELP")
    return place


def test_lead_cohort_rows_link_to_a_read_only_page_without_anything_clinical(client) -> None:
    cohort = cohort_with_sessions()
    place = planted(cohort)
    client.force_login(ServiceLeadFactory())
    home = client.get(reverse("facilitation:lead_home")).content.decode()
    url = reverse("sessions:cohort_overview", args=[cohort.pk])
    assert f'href="{url}"' in home
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert cohort.name in body
    assert cohort.facilitators.first().full_name in body
    assert "1 / 8" in body
    assert "PLANTED" not in body
    assert place.participant.full_name not in body
    assert not CheckIn.objects.exists() or "check-in" not in body.lower()


@pytest.mark.parametrize("role", ["is_participant", "is_facilitator", "is_manager"])
def test_the_lead_cohort_page_is_for_service_leads_only(client, role) -> None:
    cohort = cohort_with_sessions()
    client.force_login(UserFactory(**{role: True}))
    assert client.get(reverse("sessions:cohort_overview", args=[cohort.pk])).status_code == 403
