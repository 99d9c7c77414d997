"""The "session tomorrow" email carries the session's calendar file."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from reminders.models import Reminder
from reminders.rendering import reminder_email
from sessions.services.session_reminders import session_reminders_schedule
from tests.factories import cohort_with_sessions, enrol

pytestmark = [pytest.mark.cohorts, pytest.mark.reminders, pytest.mark.django_db]


def test_session_tomorrow_email_attaches_the_sessions_ics() -> None:
    cohort = cohort_with_sessions()
    enrolment = enrol(cohort)
    session_reminders_schedule(enrolment=enrolment)
    first = cohort.group_sessions.order_by("starts_at").first()
    row = Reminder.objects.get(kind="session_tomorrow", subject_id=str(first.pk))

    message = reminder_email(row)

    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "text/calendar"
    assert filename.endswith(".ics")
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["UID"]) == f"{first.uid}@steady"
    assert str(event["SUMMARY"]) == cohort.programme.neutral_label
    assert message.alternatives  # still text + HTML
