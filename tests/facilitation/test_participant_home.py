"""The participant's home over HTTP: what it promises matches what will be sent."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reminders.services.preferences import reminder_preference_set
from sessions.models import Enrolment
from sessions.services.enrolments import enrolment_hour_reminder_set
from tests.factories import cohort_with_sessions, enrol

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]


def home(client, person) -> str:
    client.force_login(person)
    response = client.get(reverse("facilitation:participant_home"))
    assert response.status_code == 200
    return response.content.decode()


def test_home_promises_the_day_before_email_only_while_it_is_on(client):
    place = enrol(cohort_with_sessions())
    person = place.participant
    assert "You get an email the day before each session." in home(client, person)
    reminder_preference_set(user=person, kind="session_tomorrow", enabled=False)
    body = home(client, person)
    assert "You get an email the day before each session." not in body
    assert "The day-before email is turned off" in body


def test_home_says_the_hour_before_email_is_off_when_preferences_turn_it_off(client):
    place = enrol(cohort_with_sessions())
    Enrolment.objects.filter(pk=place.pk).update(remind_hour_before=True)
    person = place.participant
    assert "You also get an email an hour before each session." in home(client, person)
    reminder_preference_set(user=person, kind="session_in_an_hour", enabled=False)
    body = home(client, person)
    assert "You also get an email an hour before each session." not in body
    assert "You asked for a reminder an hour before, but that email is turned off" in body
    enrolment_hour_reminder_set(enrolment=place, on=False, by=person)  # the service the page's button calls
    assert "No reminder an hour before." in home(client, person)
