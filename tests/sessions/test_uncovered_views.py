"""Views that had no HTTP test: inviting, leaving a place, the hour-before reminder, group notes, calendar address.

Each is requested as every role it concerns: the one it serves, another person of that role
(404: the object is not theirs to see), the other roles (403), a signed-out visitor (sent to sign
in), the wrong method (405), and bad input (a clear message, nothing changed).
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from reminders.models import Reminder
from sessions.models import CalendarFeed
from tests.factories import (
    EnrolmentFactory,
    FacilitatorFactory,
    ManagerFactory,
    ParticipantFactory,
    ServiceLeadFactory,
    cohort_with_sessions,
    enrol,
)

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]

OTHER_ROLES = {"manager": ManagerFactory, "service_lead": ServiceLeadFactory}


def said(response) -> list[str]:
    """Messages waiting after this response (earlier unread ones come first)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("login") + "?next=")


# --- Inviting someone to a cohort -----------------------------------------------------------
@pytest.fixture
def cohort(db):
    return cohort_with_sessions()


def invite_url(cohort) -> str:
    return reverse("sessions:cohort_invite", kwargs={"pk": cohort.pk})


def test_facilitator_invites_an_account_holder_who_gets_an_invited_place(client, cohort):
    person = ParticipantFactory()
    client.force_login(cohort.facilitators.get())
    response = client.post(invite_url(cohort), {"email": person.email.upper()})
    assert response.status_code == 302 and response.url == cohort.get_absolute_url()
    assert said(response) == ["Invited. They can read the information pack when they sign in."]
    assert cohort.enrolments.get().participant == person
    assert cohort.enrolments.get().status == "invited"


def test_facilitator_invites_a_new_person_who_gets_a_one_use_link(client, cohort):
    client.force_login(cohort.facilitators.get())
    response = client.post(invite_url(cohort), {"email": "new.nurse@hospital.example"})
    assert said(response) == ["Invitation sent. The link works once and expires."]
    assert list(cohort.invitations.values_list("email", flat=True)) == ["new.nurse@hospital.example"]
    assert not cohort.enrolments.exists()


def test_inviting_with_a_bad_address_says_how_and_changes_nothing(client, cohort):
    client.force_login(cohort.facilitators.get())
    response = client.post(invite_url(cohort), {"email": "not an address"})
    assert response.status_code == 302
    assert said(response) == ["Enter a valid email address, such as name@hospital.nhs.uk."]
    assert not cohort.enrolments.exists() and not cohort.invitations.exists()


def test_inviting_someone_already_in_the_cohort_says_so_and_adds_no_second_place(client, cohort):
    place = enrol(cohort)
    client.force_login(cohort.facilitators.get())
    response = client.post(invite_url(cohort), {"email": place.participant.email})
    assert said(response) == [f"{place.participant.email} is already in this cohort (Enrolled)."]
    assert cohort.enrolments.count() == 1


def test_a_completed_cohort_takes_no_invitations(client):
    cohort = cohort_with_sessions(status="completed")
    client.force_login(cohort.facilitators.get())
    response = client.post(invite_url(cohort), {"email": ParticipantFactory().email})
    assert said(response) == ["This cohort is Completed, so no one can be invited."]
    assert not cohort.enrolments.exists()


def test_another_facilitator_cannot_invite_to_a_cohort_not_theirs(client, cohort):
    client.force_login(FacilitatorFactory())
    response = client.post(invite_url(cohort), {"email": ParticipantFactory().email})
    assert response.status_code == 404
    assert not cohort.enrolments.exists()


@pytest.mark.parametrize("role", ["participant", *OTHER_ROLES])
def test_other_roles_cannot_invite(client, cohort, role):
    client.force_login({"participant": ParticipantFactory, **OTHER_ROLES}[role]())
    response = client.post(invite_url(cohort), {"email": ParticipantFactory().email})
    assert response.status_code == 403
    assert not cohort.enrolments.exists()


def test_inviting_is_post_only_and_needs_signing_in(client, cohort):
    assert sent_to_sign_in(client.post(invite_url(cohort), {"email": "someone@hospital.example"}))
    assert not cohort.invitations.exists()
    client.force_login(cohort.facilitators.get())
    assert client.get(invite_url(cohort)).status_code == 405


# --- A participant leaves their place -------------------------------------------------------
@pytest.fixture
def place(db):
    return enrol(cohort_with_sessions())


def leave_url(place) -> str:
    return reverse("sessions:enrolment_leave", kwargs={"pk": place.pk})


def test_participant_sees_the_leave_form_then_withdraws_their_place(client, place):
    client.force_login(place.participant)
    page = client.get(leave_url(place))
    assert page.status_code == 200
    assert "Withdraw the place" in page.content.decode()
    response = client.post(leave_url(place), {"reason": "Night shifts this spring"})
    assert response.status_code == 302 and response.url == reverse("facilitation:participant_home")
    assert said(response) == ["Your place is withdrawn. You are welcome back another time."]
    place.refresh_from_db()
    assert (place.status, place.withdrawal_reason, place.withdrawn_by) == (
        "withdrawn",
        "Night shifts this spring",
        place.participant,
    )


def test_leaving_a_place_that_already_ended_says_so_and_changes_nothing(client, place):
    client.force_login(place.participant)
    client.post(leave_url(place), {"reason": "First time"})
    response = client.post(leave_url(place), {"reason": "Second time"})
    assert said(response)[-1:] == ["This place has already ended."]
    place.refresh_from_db()
    assert place.withdrawal_reason == "First time"


def test_a_participant_cannot_leave_someone_elses_place(client, place):
    client.force_login(ParticipantFactory())
    assert client.get(leave_url(place)).status_code == 404
    assert client.post(leave_url(place), {"reason": ""}).status_code == 404
    place.refresh_from_db()
    assert place.status == "enrolled"


@pytest.mark.parametrize("role", ["facilitator", *OTHER_ROLES])
def test_other_roles_cannot_withdraw_a_place_through_the_participant_page(client, place, role):
    who = place.cohort.facilitators.get() if role == "facilitator" else OTHER_ROLES[role]()
    client.force_login(who)
    assert client.post(leave_url(place), {"reason": ""}).status_code == 403
    place.refresh_from_db()
    assert place.status == "enrolled"


def test_leaving_needs_signing_in(client, place):
    assert sent_to_sign_in(client.get(leave_url(place)))
    assert sent_to_sign_in(client.post(leave_url(place), {"reason": ""}))
    place.refresh_from_db()
    assert place.status == "enrolled"


# --- The hour-before reminder ---------------------------------------------------------------
def hour_url(place) -> str:
    return reverse("sessions:enrolment_hour_reminder", kwargs={"pk": place.pk})


def hour_reminders(place, status: str = "pending") -> int:
    return Reminder.objects.filter(kind="session_in_an_hour", recipient=place.participant, status=status).count()


def test_participant_turns_the_hour_reminder_on_and_off(client, place):
    client.force_login(place.participant)
    response = client.post(hour_url(place), {"on": "1"})
    assert response.status_code == 302 and response.url == reverse("facilitation:participant_home")
    assert said(response) == ["Your reminder choice is saved."]
    place.refresh_from_db()
    weekly = place.cohort.group_sessions.count()
    assert place.remind_hour_before is True
    assert hour_reminders(place) == weekly
    client.post(hour_url(place), {"on": "0"})
    place.refresh_from_db()
    assert place.remind_hour_before is False
    assert (hour_reminders(place), hour_reminders(place, "cancelled")) == (0, weekly)


def test_anything_but_on_leaves_the_hour_reminder_off(client, place):
    client.force_login(place.participant)
    client.post(hour_url(place), {"on": "yes please"})
    place.refresh_from_db()
    assert place.remind_hour_before is False
    assert hour_reminders(place) == 0


def test_a_participant_cannot_set_someone_elses_reminder(client, place):
    client.force_login(ParticipantFactory())
    assert client.post(hour_url(place), {"on": "1"}).status_code == 404
    place.refresh_from_db()
    assert place.remind_hour_before is False
    assert hour_reminders(place) == 0


@pytest.mark.parametrize("role", ["facilitator", *OTHER_ROLES])
def test_other_roles_cannot_set_a_participants_reminder(client, place, role):
    client.force_login(place.cohort.facilitators.get() if role == "facilitator" else OTHER_ROLES[role]())
    assert client.post(hour_url(place), {"on": "1"}).status_code == 403
    place.refresh_from_db()
    assert place.remind_hour_before is False


def test_the_hour_reminder_is_post_only_and_needs_signing_in(client, place):
    assert sent_to_sign_in(client.post(hour_url(place), {"on": "1"}))
    client.force_login(place.participant)
    assert client.get(hour_url(place)).status_code == 405
    place.refresh_from_db()
    assert place.remind_hour_before is False


def test_an_invited_place_saves_the_choice_without_writing_reminders(client, cohort):
    invited = EnrolmentFactory(cohort=cohort)
    client.force_login(invited.participant)
    client.post(hour_url(invited), {"on": "1"})
    invited.refresh_from_db()
    assert invited.remind_hour_before is True
    assert hour_reminders(invited) == 0


# --- Group notes on a session ---------------------------------------------------------------
@pytest.fixture
def group_session(cohort):
    return cohort.group_sessions.order_by("starts_at").first()


def notes_url(group_session) -> str:
    return reverse("sessions:session_notes", kwargs={"pk": group_session.pk})


def test_facilitator_saves_group_notes(client, group_session):
    client.force_login(group_session.cohort.facilitators.get())
    response = client.post(notes_url(group_session), {"notes": "Self-criticism after night shifts."})
    assert response.status_code == 302
    assert response.url == reverse("sessions:session_run", kwargs={"pk": group_session.pk})
    assert said(response) == ["Group notes saved."]
    group_session.refresh_from_db()
    assert group_session.group_notes == "Self-criticism after night shifts."


def test_too_long_group_notes_say_so_and_keep_the_old_notes(client, group_session):
    client.force_login(group_session.cohort.facilitators.get())
    client.post(notes_url(group_session), {"notes": "Themes."})
    response = client.post(notes_url(group_session), {"notes": "x" * 2001})
    assert said(response)[-1:] == ["Keep group notes under 2,000 characters: themes, not a transcript."]
    group_session.refresh_from_db()
    assert group_session.group_notes == "Themes."


def test_another_facilitator_cannot_write_notes_on_a_session_not_theirs(client, group_session):
    client.force_login(FacilitatorFactory())
    assert client.post(notes_url(group_session), {"notes": "Not mine"}).status_code == 404
    group_session.refresh_from_db()
    assert group_session.group_notes == ""


@pytest.mark.parametrize("role", ["participant", *OTHER_ROLES])
def test_other_roles_cannot_write_group_notes(client, group_session, role):
    person = enrol(group_session.cohort).participant if role == "participant" else OTHER_ROLES[role]()
    client.force_login(person)
    assert client.post(notes_url(group_session), {"notes": "Not mine"}).status_code == 403
    group_session.refresh_from_db()
    assert group_session.group_notes == ""


def test_group_notes_are_post_only_and_need_signing_in(client, group_session):
    assert sent_to_sign_in(client.post(notes_url(group_session), {"notes": "Anonymous"}))
    client.force_login(group_session.cohort.facilitators.get())
    assert client.get(notes_url(group_session)).status_code == 405
    group_session.refresh_from_db()
    assert group_session.group_notes == ""


# --- A new calendar address -----------------------------------------------------------------
def rotate_url() -> str:
    return reverse("sessions:calendar_feed_rotate")


def feed_token(person) -> str | None:
    return CalendarFeed.objects.filter(user=person).values_list("token", flat=True).first()


@pytest.mark.parametrize("role", ["participant", "facilitator"])
def test_a_new_calendar_address_stops_the_old_one(client, role):
    person = {"participant": ParticipantFactory, "facilitator": FacilitatorFactory}[role]()
    client.force_login(person)
    client.post(rotate_url())
    old = feed_token(person)
    response = client.post(rotate_url(), {"next": reverse("facilitation:participant_home")})
    assert response.status_code == 302 and response.url == reverse("facilitation:participant_home")
    assert said(response)[-1:] == [
        "Your calendar address is new. The old one no longer works; add the new one to your calendar."
    ]
    new = feed_token(person)
    assert old and new and new != old
    assert client.get(reverse("sessions:calendar_feed", kwargs={"token": old})).status_code == 404
    assert client.get(reverse("sessions:calendar_feed", kwargs={"token": new})).status_code == 200


def test_without_next_a_new_calendar_address_returns_home(client, participant):
    client.force_login(participant)
    response = client.post(rotate_url())
    assert response.status_code == 302 and response.url == reverse("home")


def test_a_new_calendar_address_is_post_only_and_needs_signing_in(client, participant):
    assert sent_to_sign_in(client.post(rotate_url()))
    client.force_login(participant)
    assert client.get(rotate_url()).status_code == 405
    assert feed_token(participant) is None


def test_a_new_calendar_address_never_sends_you_to_another_site(client, participant):
    client.force_login(participant)
    response = client.post(rotate_url(), {"next": "https://elsewhere.example/"})
    assert response.status_code == 302 and not response.url.startswith("https://elsewhere.example")
