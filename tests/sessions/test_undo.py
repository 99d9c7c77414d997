"""One-tap actions with a way back: cancelling a check-in asks first; apologies can be taken back until the start."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from sessions.models import Attendance, CheckIn
from sessions.services.attendance import apologies_send
from tests.factories import cohort_with_sessions, enrol
from tests.sessions.test_checkins import NOW, book, booked_world  # noqa: F401 (fixture)

pytestmark = [pytest.mark.checkins, pytest.mark.django_db]


@time_machine.travel(NOW, tick=False)
def test_cancelling_a_check_in_asks_first_and_lands_on_the_list_with_a_message(client, booked_world):  # noqa: F811
    cohort, facilitator, (amara, _ben, _chloe) = booked_world
    checkin = book(cohort, facilitator, amara)
    client.force_login(amara)
    url = reverse("sessions:checkin_cancel", args=[checkin.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Yes, cancel it" in page.content.decode()
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.BOOKED  # asking changed nothing
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("sessions:checkin_list")
    assert "The check-in is cancelled." in response.content.decode()
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.CANCELLED


@time_machine.travel(NOW, tick=False)
def test_a_facilitator_cancelling_lands_on_their_check_in_list(client, booked_world):  # noqa: F811
    cohort, facilitator, (amara, _ben, _chloe) = booked_world
    checkin = book(cohort, facilitator, amara)
    client.force_login(facilitator)
    assert "Yes, cancel it" in client.get(reverse("sessions:checkin_cancel", args=[checkin.pk])).content.decode()
    response = client.post(reverse("sessions:checkin_cancel", args=[checkin.pk]))
    assert response.status_code == 302
    assert response.url == reverse("sessions:checkin_list_facilitator")


def test_apologies_can_be_taken_back_until_the_session_starts(client):
    place = enrol(cohort_with_sessions())
    person = place.participant
    first = place.cohort.group_sessions.order_by("starts_at").first()
    with time_machine.travel(first.starts_at - datetime.timedelta(days=2), tick=False):
        apologies_send(group_session=first, participant=person)
        client.force_login(person)
        assert "I can come after all" in client.get(reverse("facilitation:participant_home")).content.decode()
        response = client.post(reverse("sessions:apologies_withdraw", args=[first.pk]), follow=True)
        assert "Your apologies are taken back" in response.content.decode()
        assert not Attendance.objects.filter(group_session=first, participant=person).exists()
        apologies_send(group_session=first, participant=person)
    with time_machine.travel(first.starts_at + datetime.timedelta(minutes=5), tick=False):
        response = client.post(reverse("sessions:apologies_withdraw", args=[first.pk]), follow=True)
        assert "This session has started" in response.content.decode()
        assert Attendance.objects.filter(group_session=first, participant=person, status="apologies").exists()
