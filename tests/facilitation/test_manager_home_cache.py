"""The manager's home (and a deputy's inbox) come from the page cache (core.page_cache): every kind of write
that changes what waits for them shows at once; one manager's page never shows another's staff.

Each test reads the page first (so it is cached), makes one write through its service, and reads it again.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.line_managers import line_manager_request_confirm, line_manager_request_create
from facilitation.services.data_rights import person_erase
from facilitation.services.delegations import protected_time_delegation_create, protected_time_delegation_revoke
from facilitation.services.protected_time import protected_time_submit, protected_time_withdraw
from facilitation.services.protected_time_decisions import protected_time_approve
from sessions.models import Cohort
from sessions.services.group_sessions import group_session_reschedule
from tests.facilitation.factories_protected_time import drafted, facilitator_of, small_cohort, submitted
from tests.factories import ManagerFactory, ParticipantFactory, ServiceLeadFactory, UserFactory

pytestmark = [pytest.mark.protected_time, pytest.mark.django_db]


def inbox(client: Client, person, name: str = "facilitation:manager_home") -> str:
    client.force_login(person)
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def cached(client: Client, person, name: str = "facilitation:manager_home") -> str:
    """The page read twice: the second time from the cache, and the same as the first."""
    first, second = inbox(client, person, name), inbox(client, person, name)
    strip = re.compile(r"[A-Za-z0-9]{64}")  # CSRF tokens, masked anew for each use
    assert strip.sub("", first) == strip.sub("", second)
    return second


def person(first_name: str, **kwargs):
    return ParticipantFactory(first_name=first_name, last_name="Okafor", **kwargs)


def test_a_request_sent_shows_at_once_and_leaves_once_approved(client):
    manager = ManagerFactory()
    request = drafted(participant=person("Chidi", line_manager=manager))
    assert "Chidi Okafor" not in cached(client, manager)
    protected_time_submit(request=request, actor=request.enrolment.participant)
    assert "Chidi Okafor" in inbox(client, manager)
    protected_time_approve(request=request, actor=manager)
    assert "Chidi Okafor" not in inbox(client, manager)


def test_a_request_withdrawn_leaves_at_once(client):
    manager = ManagerFactory()
    request = submitted(participant=person("Chidi", line_manager=manager))
    assert "Chidi Okafor" in cached(client, manager)
    protected_time_withdraw(request=request, actor=request.enrolment.participant)
    assert "Chidi Okafor" not in inbox(client, manager)


def test_a_moved_session_shows_in_the_waiting_request_at_once(client):
    manager = ManagerFactory()
    cohort = small_cohort(start_date=timezone.localdate() + datetime.timedelta(days=14))
    submitted(cohort, person("Chidi", line_manager=manager))
    assert "Moved from" not in cached(client, manager)
    first = cohort.group_sessions.order_by("starts_at").first()
    group_session_reschedule(
        group_session=first,
        local_date=first.local_date + datetime.timedelta(days=1),
        reason="Room double-booked",
        by=facilitator_of(cohort),
    )
    assert "Moved from" in inbox(client, manager)


def test_naming_a_deputy_fills_their_inbox_at_once_and_ending_it_empties_it(client):
    manager, deputy = ManagerFactory(), UserFactory(first_name="Dee")
    submitted(participant=person("Chidi", line_manager=manager))
    inbox_name = "facilitation:protected_time_inbox"
    assert "decides for you" not in cached(client, manager)
    today = timezone.localdate()
    delegation = protected_time_delegation_create(manager=manager, deputy=deputy, starts_on=today, ends_on=today)
    assert "decides for you" in inbox(client, manager)
    assert "Chidi Okafor" in cached(client, deputy, inbox_name)
    protected_time_delegation_revoke(delegation=delegation, actor=manager)
    assert "decides for you" not in inbox(client, manager)
    client.force_login(deputy)
    assert client.get(reverse(inbox_name)).status_code == 403  # no longer deciding for anyone


def test_a_deputy_from_tomorrow_sees_the_staff_tomorrow(client):
    """The deputies of the day are read at every visit and the day is in the key: no write happens at midnight."""
    manager, deputy = ManagerFactory(), ManagerFactory()
    submitted(participant=person("Chidi", line_manager=manager))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    protected_time_delegation_create(manager=manager, deputy=deputy, starts_on=tomorrow, ends_on=tomorrow)
    assert "Chidi Okafor" not in cached(client, deputy)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        assert "Chidi Okafor" in inbox(client, deputy)


def test_being_named_line_manager_shows_at_once_and_confirming_moves_the_requests(client):
    old, new = ManagerFactory(), ManagerFactory()
    chidi = person("Chidi", line_manager=old)
    submitted(participant=chidi)
    assert "named you as their line manager" not in cached(client, new)
    assert "Chidi Okafor" in cached(client, old)
    named = line_manager_request_create(staff_member=chidi, email=new.email, first_name=new.first_name)
    assert "Chidi Okafor named you as their line manager" in inbox(client, new)
    line_manager_request_confirm(request=named, by=new)
    body = inbox(client, new)
    assert "named you as their line manager" not in body
    assert "Chidi Okafor" in body  # the waiting request is the new manager's now
    assert "Chidi Okafor" not in inbox(client, old)


def test_one_managers_page_never_shows_another_managers_staff(client):
    first, second = ManagerFactory(), ManagerFactory()
    cached(client, first)
    cached(client, second)
    submitted(participant=person("Chidi", line_manager=second))
    assert "Chidi Okafor" in inbox(client, second)
    assert "Chidi Okafor" not in inbox(client, first)


def test_approve_all_on_a_cached_page_carries_the_requests_own_csrf_token():
    manager = ManagerFactory()
    request = submitted(participant=person("Chidi", line_manager=manager))
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    client.get(reverse("facilitation:manager_home"))
    body = client.get(reverse("facilitation:manager_home")).content.decode()  # from the cache
    url = reverse("facilitation:protected_time_decide", args=[request.pk])
    token = re.search(rf'action="{url}">\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert token is not None
    response = client.post(
        url,
        {"csrfmiddlewaretoken": token.group(1), "action": "approve_all", "back": "list", "version": request.version},
    )
    assert response.status_code == 302
    assert "Chidi Okafor" not in client.get(reverse("facilitation:manager_home")).content.decode()


def test_a_deputy_until_today_is_refused_tomorrow(client):
    manager, deputy = ManagerFactory(), UserFactory()
    submitted(participant=person("Chidi", line_manager=manager))
    today = timezone.localdate()
    protected_time_delegation_create(manager=manager, deputy=deputy, starts_on=today, ends_on=today)
    assert "Chidi Okafor" in cached(client, deputy, "facilitation:protected_time_inbox")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        assert client.get(reverse("facilitation:protected_time_inbox")).status_code == 403


def test_erasing_a_person_shows_in_their_managers_inbox_at_once(client):
    manager = ManagerFactory()
    chidi = person("Chidi", line_manager=manager)
    request = submitted(participant=chidi)
    # Erasure waits for the group to end; the request still waits for the manager.
    Cohort.objects.filter(pk=request.enrolment.cohort_id).update(status="completed")
    assert "Chidi Okafor" in cached(client, manager)
    person_erase(actor=ServiceLeadFactory(), person=chidi)
    assert "Chidi Okafor" not in inbox(client, manager)  # no name, and no line manager any more
