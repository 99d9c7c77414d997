"""Invitees learn when and where the group meets, everywhere they look; and they can say "not for me now"."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from reminders.models import Reminder
from sessions.models import Enrolment, Invitation
from sessions.services.invitations import enrolment_invite
from tests.factories import EnrolmentFactory, FacilitatorFactory, ParticipantFactory, cohort_with_sessions

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]


def toronto_cohort():
    """Tuesdays 18:30 in Toronto, by video, with two named facilitators."""
    first = FacilitatorFactory(first_name="Priya", last_name="Shah")
    second = FacilitatorFactory(first_name="Tom", last_name="Reyes")
    start = datetime.date(2027, 3, 2)  # a Tuesday
    return cohort_with_sessions(
        start_date=start,
        weekday=start.weekday(),
        start_time=datetime.time(18, 30),
        time_zone="America/Toronto",
        holiday_region="",
        venue="",
        video_link="https://video.example/steady-group",
        facilitators=[first, second],
    )


def assert_facts(text: str) -> None:
    assert "2 March 2027" in text  # first session
    assert "18 May 2027" in text  # last weekly session (12 weeks on)
    assert "Tuesdays, 18:30" in text
    assert "America/Toronto" in text
    assert "https://video.example/steady-group" in text
    assert "Priya Shah" in text and "Tom Reyes" in text


def test_the_invitation_email_says_when_and_where(django_capture_on_commit_callbacks):
    cohort = toronto_cohort()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_invite(cohort=cohort, email="new.person@example.org", by=cohort.facilitators.first())
    assert_facts(mail.outbox[0].body)
    assert "18:30" not in mail.outbox[0].subject


def test_the_invitation_page_says_when_and_where_and_offers_not_for_me_now(client):
    cohort = toronto_cohort()
    result = enrolment_invite(cohort=cohort, email="new.person@example.org", by=cohort.facilitators.first())
    page = client.get(reverse("sessions:invitation_accept", args=[result.token])).content.decode()
    assert_facts(page)
    response = client.post(reverse("sessions:invitation_not_for_me", args=[result.token]))
    assert response.status_code == 200
    assert "Thank you for letting us know" in response.content.decode()
    invitation = Invitation.objects.get(pk=result.invitation.pk)
    assert invitation.declined_at is not None and invitation.used_at is not None
    told = set(Reminder.objects.filter(kind="place_declined").values_list("recipient_id", flat=True))
    assert told == set(cohort.facilitators.values_list("pk", flat=True))
    assert client.get(reverse("sessions:invitation_accept", args=[result.token])).status_code == 410


def test_home_and_pack_say_when_and_where_and_not_for_me_now_frees_the_place(client):
    cohort = toronto_cohort()
    person = ParticipantFactory()
    enrolment = EnrolmentFactory(cohort=cohort, participant=person, status="invited")
    client.force_login(person)
    assert_facts(client.get(reverse("facilitation:participant_home")).content.decode())
    assert_facts(client.get(reverse("sessions:enrolment_pack", args=[enrolment.pk])).content.decode())
    response = client.post(reverse("sessions:enrolment_not_for_me", args=[enrolment.pk]), follow=True)
    assert "Thank you for letting us know" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN
    assert Reminder.objects.filter(kind="place_declined").count() == 2


def test_a_confirmed_place_is_left_through_leave_the_group_not_here(client):
    cohort = toronto_cohort()
    person = ParticipantFactory()
    enrolment = EnrolmentFactory(cohort=cohort, participant=person, status="enrolled", place_number=1)
    client.force_login(person)
    response = client.post(reverse("sessions:enrolment_not_for_me", args=[enrolment.pk]), follow=True)
    assert "Leave the group" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED
