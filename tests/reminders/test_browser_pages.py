"""The service lead's operations page in a real browser (Debian's chromium) at phone width."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from reminders.models import Reminder
from tests.factories import ParticipantFactory, ServiceLeadFactory
from tests.reminders.factories_reminders import due_reminders

pytestmark = [pytest.mark.reminders, pytest.mark.browser, pytest.mark.services]


@pytest.mark.django_db(transaction=True)
def test_operations_page_with_failed_rows_does_not_scroll_sideways_on_a_phone(live_server, browser) -> None:
    person = ParticipantFactory(first_name="Amara", last_name="Okafor")
    rows = due_reminders([person], per_recipient=2, due_at=timezone.now() - timedelta(minutes=1))
    Reminder.objects.filter(pk__in=[row.pk for row in rows]).update(
        status="failed", attempts=6, last_error="SMTP 421 not available (refused by mail.example.org after 30 s)"
    )
    client = Client()
    client.force_login(ServiceLeadFactory())
    browser.get(live_server.url + "/health/")
    browser.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})

    browser.get(f"{live_server.url}/reminders/operations/")
    assert "Could not be sent" in browser.page_source
    width = browser.execute_script("return document.documentElement.clientWidth")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
