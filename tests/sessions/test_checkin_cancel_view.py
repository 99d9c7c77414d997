"""Cancelling a check-in over HTTP: the participant or a facilitator of their group, and nobody else."""

from __future__ import annotations

import datetime
from datetime import UTC, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from sessions.services import checkins as services
from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory, ServiceLeadFactory
from tests.sessions.factories_checkins import cohort_with_people, weekly_window

pytestmark = [pytest.mark.checkins, pytest.mark.django_db]

NOW = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in London
SLOT = datetime.datetime(2026, 6, 8, 8, 0, tzinfo=UTC)  # the next Monday, 09:00 in London


@pytest.fixture
def checkin(db):
    with time_machine.travel(NOW, tick=False):
        cohort, facilitator, (amara, _ben) = cohort_with_people(participants=2)
        weekly_window(facilitator, weekday=0, start="09:00", end="11:00", minutes=30)
        return services.checkin_book(
            actor=amara, participant=amara, facilitator=facilitator, cohort=cohort, kind="mid_programme", starts_at=SLOT
        )


def cancel_url(checkin) -> str:
    return reverse("sessions:checkin_cancel", kwargs={"pk": checkin.pk})


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["participant", "facilitator"])
def test_the_participant_or_their_facilitator_cancels_a_booked_check_in(client, checkin, who):
    client.force_login(checkin.participant if who == "participant" else checkin.facilitator)
    response = client.post(cancel_url(checkin))
    # Each lands on their own list of check-ins (the confirm page asked first: tests/sessions/test_undo.py).
    landing = "sessions:checkin_list" if who == "participant" else "sessions:checkin_list_facilitator"
    assert response.status_code == 302 and response.url == reverse(landing)
    assert said(response) == ["The check-in is cancelled."]
    checkin.refresh_from_db()
    assert (checkin.status, checkin.late_cancellation) == ("cancelled", False)


@time_machine.travel(SLOT - timedelta(hours=2), tick=False)
def test_a_cancellation_at_short_notice_is_noted_not_refused(client, checkin):
    client.force_login(checkin.participant)
    response = client.post(cancel_url(checkin))
    assert said(response) == ["The check-in is cancelled. As it was at short notice, we have noted that."]
    checkin.refresh_from_db()
    assert (checkin.status, checkin.late_cancellation) == ("cancelled", True)


@time_machine.travel(NOW, tick=False)
def test_cancelling_twice_says_why_and_changes_nothing(client, checkin):
    client.force_login(checkin.participant)
    client.post(cancel_url(checkin))
    checkin.refresh_from_db()
    cancelled_at = checkin.cancelled_at
    response = client.post(cancel_url(checkin))
    assert said(response)[-1:] == ["Only a booked check-in can be cancelled; this one is cancelled."]
    checkin.refresh_from_db()
    assert checkin.cancelled_at == cancelled_at


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("make", "status"),
    [(ParticipantFactory, 404), (FacilitatorFactory, 404), (ManagerFactory, 403), (ServiceLeadFactory, 403)],
    ids=["another_participant", "another_facilitator", "manager", "service_lead"],
)
def test_nobody_else_can_cancel_it(client, checkin, make, status):
    """Not theirs to another participant or facilitator (404); not a page of their role to anyone else (403)."""
    client.force_login(make())
    assert client.post(cancel_url(checkin)).status_code == status
    checkin.refresh_from_db()
    assert checkin.status == "booked"


@time_machine.travel(NOW, tick=False)
def test_cancelling_asks_first_and_needs_signing_in(client, checkin):
    response = client.post(cancel_url(checkin))
    assert response.status_code == 302 and response.url.startswith(reverse("login") + "?next=")
    client.force_login(checkin.participant)
    # A GET only asks: the confirm page posts back here.
    page = client.get(cancel_url(checkin))
    assert page.status_code == 200 and '<form method="post"' in page.content.decode()
    checkin.refresh_from_db()
    assert checkin.status == "booked"
