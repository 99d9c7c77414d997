"""Pages and downloads for a signed-in person are never stored by a browser or a proxy."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sessions.services.calendar_feeds import calendar_feed_ensure
from tests.privacy.conftest import NOW

pytestmark = [pytest.mark.privacy, pytest.mark.django_db]


def pages(world) -> list[tuple[str, object, str]]:
    """(who, as whom, url) for every page the issue names, and a few more."""
    w = world
    return [
        ("participant home", w.participant, reverse("facilitation:participant_home")),
        ("withdrawal (participant)", w.participant, reverse("sessions:enrolment_leave", args=[w.enrolment.pk])),
        ("session .ics", w.participant, reverse("sessions:session_ics", args=[w.group_session.pk])),
        ("facilitator home", w.facilitator, reverse("facilitation:facilitator_home")),
        ("cohort page", w.facilitator, reverse("sessions:cohort_detail", args=[w.cohort.pk])),
        ("cohort edit", w.facilitator, reverse("sessions:cohort_edit", args=[w.cohort.pk])),
        ("run session", w.facilitator, reverse("sessions:session_run", args=[w.group_session.pk])),
        ("withdrawal (facilitator)", w.facilitator, reverse("sessions:enrolment_withdraw", args=[w.enrolment.pk])),
        ("check-in detail", w.facilitator, reverse("sessions:checkin_detail", args=[w.checkin.pk])),
        ("programme export", w.facilitator, reverse("programmes:programme_export", args=[w.cohort.programme_id])),
        ("manager home", w.manager, reverse("facilitation:manager_home")),
        ("rota .ics", w.manager, reverse("facilitation:protected_time_calendar")),
        ("lead home", w.lead, reverse("facilitation:lead_home")),
    ]


@time_machine.travel(NOW, tick=False)
def test_every_page_for_a_signed_in_person_says_private_no_store(client: Client, world) -> None:
    seen = {}
    for name, person, url in pages(world):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        seen[name] = response.get("Cache-Control", "")
    assert {name: value for name, value in seen.items() if value != "private, no-store"} == {}


@time_machine.travel(NOW, tick=False)
def test_the_calendar_feed_keeps_its_own_caching_and_answers_304(client: Client, world) -> None:
    feed = calendar_feed_ensure(user=world.participant)
    url = reverse("sessions:calendar_feed", args=[feed.token])
    first = client.get(url)
    assert first.status_code == 200 and first["Cache-Control"] == "private, max-age=900"
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_a_signed_out_page_is_left_alone(client: Client, db) -> None:
    assert "no-store" not in client.get(reverse("password_reset")).get("Cache-Control", "")
