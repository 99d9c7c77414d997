"""Removing a window, one-off slot or blocked date of check-in availability, over HTTP as each role."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from sessions.models import AvailabilitySlot, AvailabilityWindow, BlockedDate
from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory, ServiceLeadFactory
from tests.sessions.factories_checkins import weekly_window

pytestmark = [pytest.mark.checkins, pytest.mark.django_db]

MODELS = {"window": AvailabilityWindow, "slot": AvailabilitySlot, "blocked": BlockedDate}


def availability_of(facilitator) -> dict[str, object]:
    return {
        "window": weekly_window(facilitator, weekday=0, start="09:00", end="11:00"),
        "slot": AvailabilitySlot.objects.create(
            facilitator=facilitator, local_date=datetime.date(2030, 1, 8), start_time=datetime.time(14, 0)
        ),
        "blocked": BlockedDate.objects.create(facilitator=facilitator, date=datetime.date(2030, 1, 2)),
    }


def remove_url(kind: str, pk: int) -> str:
    return reverse("sessions:availability_remove", kwargs={"kind": kind, "pk": pk})


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def still_there(rows: dict[str, object]) -> dict[str, bool]:
    return {kind: MODELS[kind].objects.filter(pk=row.pk).exists() for kind, row in rows.items()}


@pytest.mark.parametrize("kind", list(MODELS))
def test_facilitator_removes_one_of_their_own_and_only_that_one(client, facilitator, kind):
    rows = availability_of(facilitator)
    client.force_login(facilitator)
    response = client.post(remove_url(kind, rows[kind].pk))
    assert response.status_code == 302 and response.url == reverse("sessions:availability")
    assert said(response) == ["Removed."]
    assert still_there(rows) == {other: other != kind for other in MODELS}


def test_removing_twice_says_it_was_already_removed(client, facilitator):
    rows = availability_of(facilitator)
    client.force_login(facilitator)
    client.post(remove_url("window", rows["window"].pk))
    response = client.post(remove_url("window", rows["window"].pk))
    assert said(response)[-1:] == ["That availability was already removed."]
    assert still_there(rows) == {"window": False, "slot": True, "blocked": True}


def test_an_unknown_kind_says_so_and_removes_nothing(client, facilitator):
    rows = availability_of(facilitator)
    client.force_login(facilitator)
    response = client.post(remove_url("holiday", rows["blocked"].pk))
    assert said(response) == ["Unknown kind of availability."]
    assert all(still_there(rows).values())


@pytest.mark.parametrize("kind", list(MODELS))
def test_another_facilitator_cannot_remove_someone_elses_availability(client, facilitator, kind):
    """The service looks only among the caller's own rows, so another's row reads as already gone."""
    rows = availability_of(facilitator)
    client.force_login(FacilitatorFactory())
    response = client.post(remove_url(kind, rows[kind].pk))
    assert response.status_code == 302
    assert said(response) == ["That availability was already removed."]
    assert all(still_there(rows).values())


@pytest.mark.parametrize(
    "make", [ParticipantFactory, ManagerFactory, ServiceLeadFactory], ids=["participant", "manager", "service_lead"]
)
def test_other_roles_cannot_remove_availability(client, facilitator, make):
    rows = availability_of(facilitator)
    client.force_login(make())
    assert client.post(remove_url("window", rows["window"].pk)).status_code == 403
    assert all(still_there(rows).values())


def test_removing_is_post_only_and_needs_signing_in(client, facilitator):
    rows = availability_of(facilitator)
    response = client.post(remove_url("window", rows["window"].pk))
    assert response.status_code == 302 and response.url.startswith(reverse("login") + "?next=")
    client.force_login(facilitator)
    assert client.get(remove_url("window", rows["window"].pk)).status_code == 405
    assert all(still_there(rows).values())
