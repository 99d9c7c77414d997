"""Preferences, unsubscribe, the bell, notifications and the service lead's operations page, over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reminders.models import Reminder, ReminderPreference
from reminders.rendering import unsubscribe_token
from reminders.selectors import UNREAD_COUNT_SECONDS
from reminders.services.preferences import notifications_mark_read
from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory, ServiceLeadFactory
from tests.reminders.factories_reminders import due_reminders

pytestmark = [pytest.mark.reminders, pytest.mark.django_db]


def notified(person, count: int, *, status: str = "sent", kind: str = "test_notice") -> list[Reminder]:
    rows = due_reminders([person], per_recipient=count, kind=kind, due_at=timezone.now() - timedelta(minutes=1))
    Reminder.objects.filter(pk__in=[row.pk for row in rows]).update(status=status)
    return rows


# --- Preferences --------------------------------------------------------------------------


def test_preferences_offer_only_optional_kinds_and_save_them(client: Client, participant) -> None:
    client.force_login(participant)
    page = client.get("/reminders/preferences/").content.decode()
    assert 'value="test_notice"' in page
    assert 'value="test_essential"' not in page
    assert "Test essential notice" in page  # listed as always sent

    response = client.post("/reminders/preferences/", {"kinds": ["test_urgent"]})
    assert response.status_code == 302
    saved = ReminderPreference.objects.filter(user=participant, kind__startswith="test_")
    assert set(saved.values_list("kind", "enabled")) == {
        ("test_notice", False),
        ("test_urgent", True),
    }
    page = client.get("/reminders/preferences/").content.decode()
    assert re.search(r'value="test_urgent"[^>]*checked', page)
    assert not re.search(r'value="test_notice"[^>]*checked', page)


def test_preferences_list_only_the_kinds_that_concern_the_person(client: Client) -> None:
    """A participant is not told about facilitators' alerts; a manager is not offered session reminders."""
    participant, manager = ParticipantFactory(), ManagerFactory()
    client.force_login(participant)
    page = client.get("/reminders/preferences/").content.decode()
    assert 'value="session_tomorrow"' in page
    assert "Someone in your group asked to talk" not in page
    assert "A colleague has asked for time" not in page

    client.force_login(manager)
    page = client.get("/reminders/preferences/").content.decode()
    assert 'value="session_tomorrow"' not in page
    assert "Someone in your group asked to talk" not in page
    assert 'value="test_notice"' in page  # a kind for anyone
    assert "A colleague has asked for time" in page
    client.post("/reminders/preferences/", {"kinds": []})
    assert not ReminderPreference.objects.filter(user=manager, kind="session_tomorrow").exists()

    # Someone who did receive one (a manager who is also in a group) can still turn it off.
    notified(manager, 1, kind="session_tomorrow")
    assert 'value="session_tomorrow"' in client.get("/reminders/preferences/").content.decode()


def test_essential_kind_cannot_be_turned_off_by_a_forged_post(client: Client, participant) -> None:
    client.force_login(participant)
    response = client.post("/reminders/preferences/", {"kinds": ["test_essential"]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ReminderPreference.objects.exists()


def test_preferences_need_a_sign_in(client: Client) -> None:
    assert client.get("/reminders/preferences/").status_code == 302


# --- Unsubscribe ----------------------------------------------------------------------------


def test_one_click_unsubscribe_turns_the_kind_off_without_signing_in() -> None:
    person = ParticipantFactory()
    client = Client(enforce_csrf_checks=True)
    url = f"/reminders/unsubscribe/{unsubscribe_token(user_id=person.pk, kind='test_notice')}/"
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert ReminderPreference.objects.get(user=person, kind="test_notice").enabled is False


def test_unsubscribe_link_asks_before_turning_off(client: Client) -> None:
    person = ParticipantFactory()
    url = f"/reminders/unsubscribe/{unsubscribe_token(user_id=person.pk, kind='test_notice')}/"
    assert "Stop these emails?" in client.get(url).content.decode()
    assert not ReminderPreference.objects.exists()
    assert "no longer get" in client.post(url).content.decode()
    assert ReminderPreference.objects.get(user=person).enabled is False


@pytest.mark.parametrize("tamper", ["forged", "essential"])
def test_tampered_or_essential_unsubscribe_links_are_refused(client: Client, tamper) -> None:
    person = ParticipantFactory()
    if tamper == "forged":
        token = unsubscribe_token(user_id=person.pk, kind="test_notice")[:-3] + "abc"
    else:
        token = unsubscribe_token(user_id=person.pk, kind="test_essential")
    assert client.post(f"/reminders/unsubscribe/{token}/").status_code == 404
    assert not ReminderPreference.objects.exists()


# --- Bell and notifications -----------------------------------------------------------------


def test_bell_counts_unread_notifications_and_the_list_marks_them_read(client: Client) -> None:
    person = ParticipantFactory()
    notified(person, 2)
    notified(person, 1, status="pending")  # not yet told
    notified(person, 1, status="cancelled")
    notified(ParticipantFactory(), 3)  # someone else's
    client.force_login(person)
    page = client.get("/me/").content.decode()
    assert "Notifications, 2 unread" in page

    listing = client.get("/reminders/notifications/").content.decode()
    assert listing.count("Test notice") == 2
    assert listing.count(">New<") == 2
    assert "unread" not in re.search(r'class="steady-bell.*?</a>', listing, re.S).group(0)
    assert Reminder.objects.filter(recipient=person, read_at__isnull=False).count() == 2
    assert "Notifications, " not in client.get("/me/").content.decode()


def test_bell_is_not_drawn_for_visitors(client: Client) -> None:
    assert "steady-bell" not in client.get("/accounts/login/").content.decode()


# --- Operations -----------------------------------------------------------------------------


def test_operations_page_shows_counts_and_failed_rows_to_the_service_lead(client: Client) -> None:
    person = ParticipantFactory(first_name="Amara", last_name="Okafor")
    notified(person, 2, status="failed")
    Reminder.objects.filter(status="failed").update(last_error="Could not connect: refused")
    notified(person, 3, status="sent")
    client.force_login(ServiceLeadFactory())
    page = client.get("/reminders/operations/").content.decode()
    assert re.search(r'data-status="failed">2<', page)
    assert re.search(r'data-status="sent">3<', page)
    assert page.count("Could not connect: refused") == 2
    assert "Amara Okafor" in page


@pytest.mark.parametrize("factory", [ParticipantFactory, FacilitatorFactory, ManagerFactory])
def test_operations_page_and_retry_are_forbidden_to_other_roles(client: Client, factory) -> None:
    notified(ParticipantFactory(), 1, status="failed")
    client.force_login(factory())
    assert client.get("/reminders/operations/").status_code == 403
    assert client.post("/reminders/operations/retry/").status_code == 403
    assert Reminder.objects.get().status == "failed"


def test_lead_home_links_to_the_operations_page(client: Client) -> None:
    client.force_login(ServiceLeadFactory())
    assert "/reminders/operations/" in client.get("/service/").content.decode()


def test_retry_gives_one_failed_reminder_fresh_attempts(client: Client) -> None:
    lead = ServiceLeadFactory()
    first, second = notified(ParticipantFactory(), 2, status="failed")
    Reminder.objects.update(attempts=6)
    client.force_login(lead)
    response = client.post("/reminders/operations/retry/", {"reminder": first.pk}, follow=True)
    assert "will be sent again" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts, first.retried_by) == ("pending", 0, lead)
    assert first.due_at <= timezone.now()
    assert second.status == "failed"
    client.post("/reminders/operations/retry/")
    assert not Reminder.objects.filter(status="failed").exists()


def test_reminders_status_command_prints_counts_and_failures(capsys) -> None:
    person = ParticipantFactory(email="amara@hospital.example")
    notified(person, 2, status="sent")
    notified(person, 1, status="failed")
    Reminder.objects.filter(status="failed").update(last_error="SMTPDataError: 554 rejected")
    call_command("reminders_status")
    out = capsys.readouterr().out
    assert re.search(r"^sent\s+2\b", out, re.M)
    assert re.search(r"^failed\s+1\b", out, re.M)
    assert "amara@hospital.example" in out and "554 rejected" in out


def test_every_notification_opens_somewhere_and_shows_when_it_is_about(client: Client) -> None:
    """A row with its own link opens it; one without (a session tomorrow) opens the person's home page."""
    person = ParticipantFactory()
    plain, linked = notified(person, 2)
    Reminder.objects.filter(pk=plain.pk).update(context={"when": "Tuesday 1 December, 10:00"})
    Reminder.objects.filter(pk=linked.pk).update(context={"link": "http://testserver/me/protected-time/7/"})
    client.force_login(person)
    listing = client.get("/reminders/notifications/").content.decode()
    assert 'href="http://testserver/me/protected-time/7/">Open</a>' in listing
    assert 'href="/">Open</a>' in listing
    assert "Tuesday 1 December, 10:00" in listing


# The in-process cache, so the test's clock (time-machine) decides when the count expires, as Redis's does in use.
@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bell"}})
def test_bell_count_is_cached_cleared_by_reading_and_new_notices_show_within_the_cache_time(client: Client) -> None:
    person = ParticipantFactory()
    notified(person, 2)
    client.force_login(person)
    assert "Notifications, 2 unread" in client.get("/reminders/preferences/").content.decode()
    # The next page reads the count from the cache: no count of reminders.
    with CaptureQueriesContext(connection) as cached:
        assert "Notifications, 2 unread" in client.get("/reminders/preferences/").content.decode()
    assert not [q for q in cached.captured_queries if "COUNT(*)" in q["sql"] and "reminders_reminder" in q["sql"]]
    # A new notification shows once the cached count expires.
    notified(person, 1)
    with time_machine.travel(timezone.now() + timedelta(seconds=UNREAD_COUNT_SECONDS + 1)):
        assert "Notifications, 3 unread" in client.get("/reminders/preferences/").content.decode()
        # Reading them clears the cached count at once.
        notifications_mark_read(user=person)
        assert "Notifications, " not in client.get("/reminders/preferences/").content.decode()
