"""Input that used to reach the database unchecked: numbers, URL secrets, next=, apologies, 403 logging."""

from __future__ import annotations

import io
import logging
from urllib.parse import unquote

import pytest
import time_machine
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from core.errors import DomainError
from programmes.models import Programme, SessionPlan
from programmes.services.editing import programme_create
from sessions.services import attendance as attendance_services
from tests.factories import FacilitatorFactory, ManagerFactory
from tests.privacy.conftest import NOW

pytestmark = [pytest.mark.privacy, pytest.mark.django_db]

PROGRAMME = {
    "name": "Bounded",
    "summary": "",
    "audience": "",
    "weekly_session_count": "12",
    "session_minutes": "120",
    "default_capacity": "8",
    "max_capacity": "12",
    "booster_offsets_weeks": "4, 12",
    "neutral_label": "Staff wellbeing group",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weekly_session_count", "5000", "Weekly sessions must be a whole number from 1 to 52."),
        ("weekly_session_count", "0", "Weekly sessions must be a whole number from 1 to 52."),
        ("session_minutes", "1", "Session length (minutes) must be a whole number from 15 to 480."),
        ("default_capacity", "0", "Default group size must be a whole number from 2 to 30."),
        ("max_capacity", "99999999999", "Largest group size must be a whole number from 2 to 30."),
        ("session_minutes", "-5", "Session length (minutes) must be a whole number from 15 to 480."),
    ],
)
def test_the_programme_form_refuses_numbers_out_of_range_naming_the_field(
    client: Client, field: str, value: str, message: str
) -> None:
    client.force_login(FacilitatorFactory())
    response = client.post(reverse("programmes:programme_create"), PROGRAMME | {field: value})
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not Programme.objects.exists() and not SessionPlan.objects.exists()


def test_the_programme_form_tells_the_browser_the_range(client: Client) -> None:
    client.force_login(FacilitatorFactory())
    page = client.get(reverse("programmes:programme_create")).content.decode()
    assert 'name="weekly_session_count"' in page and 'max="52"' in page and 'min="15"' in page


def test_the_service_refuses_out_of_range_numbers_too(db) -> None:
    with pytest.raises(DomainError) as refused:
        programme_create(by=None, name="Too many", weekly_session_count=5000)
    assert refused.value.field == "weekly_session_count"
    with pytest.raises(DomainError, match="from 2 to 30"):
        programme_create(by=None, name="Nobody", default_capacity=0, max_capacity=12)
    assert not Programme.objects.exists()


@pytest.mark.parametrize(
    "path", ["/calendar/%00.ics", "/calendar/abc%00def.ics", "/invitation/%00/", "/calendar/" + "a" * 200 + ".ics"]
)
def test_a_malformed_secret_in_the_url_is_a_404(client: Client, db, path: str) -> None:
    assert client.get(path).status_code == 404
    # Not even looked up: a NUL byte would be a 500 from PostgreSQL, so the URL itself must not match.
    with pytest.raises(Resolver404):
        resolve(unquote(path))


@pytest.mark.parametrize(
    "target", ["https://elsewhere.example/", "//elsewhere.example/x", "http://testserver.elsewhere.example/"]
)
def test_rotating_the_calendar_address_never_redirects_off_site(client: Client, world, target: str) -> None:
    client.force_login(world.participant)
    response = client.post(reverse("sessions:calendar_feed_rotate"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_rotating_the_calendar_address_goes_back_to_a_page_on_this_site(client: Client, world) -> None:
    client.force_login(world.participant)
    back = reverse("reminders:preferences")
    response = client.post(reverse("sessions:calendar_feed_rotate"), {"next": back})
    assert response["Location"] == back


@time_machine.travel(NOW, tick=False)
def test_apologies_are_shown_to_the_cohorts_facilitators_and_no_one_else(client: Client, world) -> None:
    note = "PLANTED-APOLOGY-3K: a hospital appointment"
    attendance_services.apologies_send(group_session=world.group_session, participant=world.participant, note=note)
    run = reverse("sessions:session_run", args=[world.group_session.pk])
    client.force_login(world.facilitator)
    assert note in client.get(run).content.decode()
    others = {
        "another facilitator": (FacilitatorFactory(), [run]),
        "the manager": (world.manager, [reverse("facilitation:manager_home")]),
        "another manager": (ManagerFactory(), [reverse("facilitation:manager_home")]),
        "another participant": (world.other_participant, [reverse("facilitation:participant_home"), run]),
        "the service lead": (world.lead, [reverse("facilitation:lead_home")]),
    }
    leaked = []
    for who, (person, urls) in others.items():
        client.force_login(person)
        leaked += [(who, url) for url in urls if "PLANTED-APOLOGY-3K" in client.get(url).content.decode()]
    assert leaked == []


def test_a_403_is_one_line_in_the_log_without_a_traceback(client: Client, db) -> None:
    console = next(h for h in logging.getLogger().handlers if h.name == "console")
    written = io.StringIO()
    previous = console.setStream(written)
    try:
        client.force_login(ManagerFactory())
        assert client.get(reverse("facilitation:facilitator_home")).status_code == 403
    finally:
        console.setStream(previous)
    log = written.getvalue()
    assert "Forbidden (Permission denied): /facilitating/" in log
    assert "Traceback" not in log and len(log.strip().splitlines()) == 1
