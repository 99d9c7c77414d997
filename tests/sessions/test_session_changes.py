"""Moving and cancelling a session: SEQUENCE rises, pending reminders follow, participants are told at once."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from facilitation.models import ProtectedTimeRequest
from facilitation.services.protected_time import protected_time_request_draft
from reminders.models import Reminder
from reminders.rendering import render_parts
from sessions.services.group_sessions import group_session_cancel, group_session_reschedule
from sessions.services.session_reminders import session_reminders_schedule
from tests.factories import cohort_with_sessions, enrol

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]


def cohort_with_two_places():
    cohort = cohort_with_sessions()
    places = [enrol(cohort), enrol(cohort)]
    for place in places:
        session_reminders_schedule(enrolment=place)
    return cohort, places


def test_reschedule_raises_sequence_moves_reminders_and_tells_participants():
    cohort, places = cohort_with_two_places()
    session = cohort.group_sessions.get(number=3)
    new_date = session.local_date + datetime.timedelta(days=1)
    moved = group_session_reschedule(
        group_session=session, local_date=new_date, reason="Room booked for training", by=cohort.facilitators.first()
    )
    assert moved.sequence == 1
    assert moved.local_date == new_date
    assert moved.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/London")).time() == datetime.time(13, 0)
    lead = settings.STEADY_REMINDER_LEAD_TIMES["session_tomorrow"]
    due = set(
        Reminder.objects.filter(kind="session_tomorrow", subject_id=str(session.pk)).values_list("due_at", flat=True)
    )
    assert due == {moved.starts_at - lead}
    changed = Reminder.objects.filter(kind="session_changed", subject_id=str(session.pk))
    assert {r.recipient_id for r in changed} == {p.participant_id for p in places}
    assert all(r.due_at <= timezone.now() for r in changed)


def test_cancel_needs_a_reason_and_cancels_pending_reminders():
    cohort, _places = cohort_with_two_places()
    session = cohort.group_sessions.get(number=2)
    with pytest.raises(DomainError, match="Say why"):
        group_session_cancel(group_session=session, reason="  ", by=cohort.facilitators.first())
    session.refresh_from_db()
    assert session.status == "scheduled" and session.sequence == 0
    group_session_cancel(group_session=session, reason="Facilitator unwell", by=cohort.facilitators.first())
    session.refresh_from_db()
    assert session.status == "cancelled" and session.sequence == 1
    tomorrow = Reminder.objects.filter(kind="session_tomorrow", subject_id=str(session.pk))
    assert set(tomorrow.values_list("status", flat=True)) == {"cancelled"}
    assert Reminder.objects.filter(kind="session_changed", subject_id=str(session.pk), status="pending").count() == 2


def test_moving_onto_another_session_date_is_refused():
    cohort, _ = cohort_with_two_places()
    session = cohort.group_sessions.get(number=3)
    other = cohort.group_sessions.get(number=4)
    with pytest.raises(DomainError, match="already meets"):
        group_session_reschedule(
            group_session=session, local_date=other.local_date, reason="x", by=cohort.facilitators.first()
        )
    assert not Reminder.objects.filter(kind="session_changed").exists()


def test_moved_notice_gives_the_new_date_and_reason_without_calling_it_the_next_session():

    cohort, places = cohort_with_two_places()
    session = cohort.group_sessions.get(number=3)
    new_date = session.local_date + datetime.timedelta(days=1)
    group_session_reschedule(
        group_session=session, local_date=new_date, reason="Room booked for training", by=cohort.facilitators.first()
    )
    row = Reminder.objects.get(kind="session_changed", subject_id=str(session.pk), recipient=places[0].participant)
    _subject, text, html = render_parts(row)
    for body in (text, html):
        assert f"{new_date:%A} {new_date.day} {new_date:%B}" in body
        assert "Room booked for training" in body
        assert "The next" not in body


def test_cancelling_the_cohort_over_http_tells_each_participant_once_and_withdraws_protected_time(client):

    cohort, places = cohort_with_two_places()
    for place in places:
        protected_time_request_draft(enrolment=place)
    client.force_login(cohort.facilitators.first())
    url = reverse("sessions:cohort_status", kwargs={"pk": cohort.pk})
    asked = client.post(url, {"status": "cancelled"})
    assert asked.status_code == 200 and "cannot be undone" in asked.content.decode()
    cohort.refresh_from_db()
    assert cohort.status != "cancelled"
    assert not Reminder.objects.filter(kind="session_changed").exists()
    response = client.post(url, {"status": "cancelled", "confirm": "1"})
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.status == "cancelled"
    assert set(cohort.group_sessions.values_list("status", flat=True)) == {"cancelled"}
    told = Reminder.objects.filter(kind="session_changed", status="pending")
    assert sorted(r.recipient_id for r in told) == sorted(p.participant_id for p in places)
    first = cohort.group_sessions.order_by("starts_at").first()
    assert {r.subject_id for r in told} == {str(first.pk)}
    requests = ProtectedTimeRequest.objects.filter(enrolment__cohort=cohort)
    assert requests.count() == 2 and set(requests.values_list("status", flat=True)) == {"withdrawn"}
