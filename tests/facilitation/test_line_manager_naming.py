"""A new joiner with no line manager on file names one by email; the manager or the service lead confirms.

The page says what happens next at every state, and nothing clinical reaches the manager.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import LineManagerRequest, User
from facilitation.models import ProtectedTimeRequest
from tests.facilitation.factories_protected_time import drafted, small_cohort
from tests.factories import ManagerFactory, ParticipantFactory, ServiceLeadFactory

pytestmark = [pytest.mark.protected_time, pytest.mark.django_db]
PT = ProtectedTimeRequest


def new_joiner_draft():
    participant = ParticipantFactory(line_manager=None, first_name="Amara", last_name="Okafor")
    return drafted(small_cohort(), participant)


def page(client: Client, pt_request: PT) -> str:
    return client.get(reverse("facilitation:protected_time_participant", args=[pt_request.pk])).content.decode()


def name_manager(client: Client, pt_request: PT, email: str = "helen.shaw@example.org"):
    return client.post(
        reverse("facilitation:protected_time_participant", args=[pt_request.pk]),
        {"first_name": "Helen", "last_name": "Shaw", "email": email},
        follow=True,
    )


def test_each_state_says_what_happens_next_and_the_manager_confirms_by_link(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    pt_request = new_joiner_draft()
    participant = pt_request.enrolment.participant
    client.force_login(participant)
    body = page(client, pt_request)
    assert "First, tell us who your line manager is." in body
    assert "Send to my line manager" not in body
    with django_capture_on_commit_callbacks(execute=True):
        body = name_manager(client, pt_request).content.decode()
    assert "Waiting for your line manager to confirm." in body
    assert "Send to my line manager" not in body
    email = mail.outbox[-1]
    assert email.to == ["helen.shaw@example.org"]
    # Nothing clinical reaches the manager: no programme, cohort or session names.
    programme = pt_request.enrolment.cohort.programme
    for secret in (programme.name, pt_request.enrolment.cohort.name, "Week 1"):
        assert secret not in email.body and secret not in email.subject
    link = re.search(r"https?://\S+/accounts/line-manager/\S+/", email.body).group(0)
    path = link[link.index("/accounts/") :]
    manager_client = Client()
    confirm_page = manager_client.get(path).content.decode()
    assert "Amara Okafor has named you" in confirm_page
    assert programme.name not in confirm_page
    manager_client.post(path, {"password": "a-long-calm-passphrase-42"})
    manager = User.objects.get(email="helen.shaw@example.org")
    assert manager.is_manager
    participant.refresh_from_db()
    assert participant.line_manager == manager
    assert manager_client.get(path).status_code == 410  # the link works once
    body = page(client, pt_request)
    assert "Next: check the sessions below, then send." in body
    assert "Send to my line manager" in body


def test_a_manager_with_an_account_confirms_from_their_home(client: Client) -> None:
    pt_request = new_joiner_draft()
    manager = ManagerFactory(email="helen.shaw@example.org")
    client.force_login(pt_request.enrolment.participant)
    name_manager(client, pt_request)
    client.force_login(manager)
    home = client.get(reverse("facilitation:manager_home")).content.decode()
    assert "Amara Okafor named you as their line manager" in home
    pending = LineManagerRequest.objects.get()
    client.post(reverse("facilitation:line_manager_confirm", args=[pending.pk]))
    pt_request.enrolment.participant.refresh_from_db()
    assert pt_request.enrolment.participant.line_manager == manager


def test_the_service_lead_confirms_and_no_one_else_can(client: Client) -> None:
    pt_request = new_joiner_draft()
    client.force_login(pt_request.enrolment.participant)
    name_manager(client, pt_request)
    pending = LineManagerRequest.objects.get()
    url = reverse("facilitation:line_manager_confirm", args=[pending.pk])
    client.force_login(ManagerFactory())  # a manager who was not named
    assert client.post(url).status_code == 404
    client.force_login(ServiceLeadFactory())
    assert (
        "Amara Okafor named Helen Shaw (helen.shaw@example.org)"
        in client.get(reverse("facilitation:lead_home")).content.decode()
    )
    client.post(url, {"as": "lead"})
    participant = pt_request.enrolment.participant
    participant.refresh_from_db()
    assert participant.line_manager.email == "helen.shaw@example.org"


def test_naming_oneself_is_refused_with_the_reason(client: Client) -> None:
    pt_request = new_joiner_draft()
    participant = pt_request.enrolment.participant
    client.force_login(participant)
    response = name_manager(client, pt_request, email=participant.email)
    assert "not your own" in response.content.decode()
    assert not LineManagerRequest.objects.exists()


def test_naming_again_replaces_the_waiting_request(client: Client) -> None:
    pt_request = new_joiner_draft()
    client.force_login(pt_request.enrolment.participant)
    name_manager(client, pt_request)
    name_manager(client, pt_request, email="someone.else@example.org")
    assert LineManagerRequest.objects.filter(status="pending").get().email == "someone.else@example.org"
