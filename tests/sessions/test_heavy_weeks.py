"""Heavy weeks, held (item 5): the note two days before, and private check-in offers afterwards."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.errors import NotAllowed
from programmes.models import SessionPlan
from reminders.models import Reminder
from reminders.rendering import render_parts
from sessions.models import CheckinOffer, GroupSession
from sessions.selectors.checkin_offers import checkin_offers_not_taken_up, checkin_offers_open_for
from sessions.services.checkin_offers import checkin_offer_accept, checkin_offers_make
from sessions.services.enrolments import enrolment_withdraw
from sessions.services.group_sessions import group_session_cancel, group_session_reschedule
from sessions.services.session_reminders import session_reminders_schedule
from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory, cohort_with_sessions, enrol

pytestmark = [pytest.mark.safety, pytest.mark.django_db]


def heavy_cohort(**kwargs):
    """A cohort whose week 3 is a high-intensity session."""
    cohort = cohort_with_sessions(**kwargs)
    SessionPlan.objects.filter(programme=cohort.programme, kind="weekly", number=3).update(
        intensity="high", intensity_preparation="Offer check-ins afterwards."
    )
    return cohort


def notes():
    return Reminder.objects.filter(kind="heavy_week_note")


# --- The note -------------------------------------------------------------


def test_each_participant_gets_the_note_two_days_before_the_heavy_session_only():
    cohort = heavy_cohort()
    places = [enrol(cohort) for _ in range(3)]
    for place in places:
        session_reminders_schedule(enrolment=place)
    week_three = cohort.group_sessions.get(number=3)
    assert notes().count() == 3
    assert {row.subject_id for row in notes()} == {str(week_three.pk)}
    assert {row.due_at for row in notes()} == {week_three.starts_at - datetime.timedelta(days=2)}
    assert {row.recipient_id for row in notes()} == {p.participant_id for p in places}


def test_the_note_is_neutral_and_says_pass_or_watch_how_to_reach_a_facilitator_and_the_crisis_contacts():
    facilitator = FacilitatorFactory(first_name="Priya")
    cohort = heavy_cohort(facilitators=[facilitator])
    session_reminders_schedule(enrolment=enrol(cohort))
    subject, text, html = render_parts(notes().get())
    assert subject == f"{cohort.programme.neutral_label}: a note before the next session"
    for words in ("pass on any exercise", "simply watch", "tell Priya", "I'd like to talk", "Samaritans", "116 123"):
        assert words in text, words
    assert "111" in text and "999" in text
    assert 'href="tel:116123"' in html


def test_a_canadian_cohort_gets_988():
    cohort = heavy_cohort(holiday_region="CA-ON", time_zone="America/Toronto")
    session_reminders_schedule(enrolment=enrol(cohort))
    _subject, text, _html = render_parts(notes().get())
    assert "988" in text and "Samaritans" not in text


def test_the_note_moves_with_the_session_and_goes_when_it_is_cancelled_or_the_place_ends():
    cohort = heavy_cohort()
    facilitator = cohort.facilitators.first()
    place = enrol(cohort)
    session_reminders_schedule(enrolment=place)
    week_three = cohort.group_sessions.get(number=3)
    new_date = week_three.local_date + datetime.timedelta(days=1)
    moved = group_session_reschedule(group_session=week_three, local_date=new_date, reason="Room", by=facilitator)
    assert notes().get().due_at == moved.starts_at - datetime.timedelta(days=2)
    group_session_cancel(group_session=moved, reason="Snow", by=facilitator)
    assert notes().get().status == Reminder.Status.CANCELLED
    other = heavy_cohort()
    leaving = enrol(other)
    session_reminders_schedule(enrolment=leaving)
    enrolment_withdraw(enrolment=leaving, reason="", by=leaving.participant)
    assert notes().filter(recipient=leaving.participant).get().status == Reminder.Status.CANCELLED


# --- Offers -----------------------------------------------------------------


def after_week_three(cohort):
    week_three = cohort.group_sessions.get(number=3)
    return week_three, week_three.ends_at + datetime.timedelta(minutes=5)


def test_offers_are_made_after_the_session_once_each_and_each_person_hears_privately():
    cohort = heavy_cohort()
    facilitator = cohort.facilitators.first()
    ticked, other = enrol(cohort).participant, enrol(cohort).participant
    session, after = after_week_three(cohort)
    with pytest.raises(NotAllowed, match="once the session has started"):
        checkin_offers_make(group_session=session, participants=[ticked], by=facilitator)
    with time_machine.travel(after, tick=False):
        made = checkin_offers_make(group_session=session, participants=[ticked], by=facilitator)
        again = checkin_offers_make(group_session=session, participants=[ticked], by=facilitator)
    assert len(made) == 1 and again == []
    [row] = Reminder.objects.filter(kind="checkin_offered")
    assert row.recipient == ticked
    subject, text, _html = render_parts(row)
    assert subject == f"{cohort.programme.neutral_label}: a message from your facilitator"
    assert f"/me/checkin-offers/{made[0].pk}/" in text
    assert checkin_offers_open_for(user=other) == []


def test_only_the_cohorts_facilitators_offer_and_only_to_its_people():
    cohort = heavy_cohort()
    session, after = after_week_three(cohort)
    with time_machine.travel(after, tick=False):
        with pytest.raises(NotAllowed):
            member = enrol(cohort).participant
            checkin_offers_make(group_session=session, participants=[member], by=FacilitatorFactory())
        with pytest.raises(NotAllowed):
            checkin_offers_make(
                group_session=session, participants=[ParticipantFactory()], by=cohort.facilitators.first()
            )
    assert not CheckinOffer.objects.exists()


def test_offers_not_taken_up_after_72_hours_show_on_the_facilitator_home():
    cohort = heavy_cohort()
    facilitator = cohort.facilitators.first()
    quiet, keen = enrol(cohort).participant, enrol(cohort).participant
    session, after = after_week_three(cohort)
    with time_machine.travel(after, tick=False):
        offers = checkin_offers_make(group_session=session, participants=[quiet, keen], by=facilitator)
    checkin_offer_accept(offer=next(o for o in offers if o.participant == keen), by=keen)
    assert checkin_offers_not_taken_up(facilitator=facilitator, now=after + datetime.timedelta(hours=71)) == []
    waiting = checkin_offers_not_taken_up(facilitator=facilitator, now=after + datetime.timedelta(hours=73))
    assert [o.participant for o in waiting] == [quiet]
    assert checkin_offers_not_taken_up(facilitator=FacilitatorFactory(), now=after + datetime.timedelta(days=5)) == []


def test_the_run_page_offers_then_the_participant_takes_it_up_in_one_tap(client):
    cohort = heavy_cohort()
    facilitator = cohort.facilitators.first()
    person = enrol(cohort).participant
    session, after = after_week_three(cohort)
    with time_machine.travel(after, tick=True):
        client.force_login(facilitator)
        page = client.get(reverse("sessions:session_run", args=[session.pk])).content.decode()
        assert "Offer a check-in" in page
        response = client.post(
            reverse("sessions:checkin_offers_make", args=[session.pk]), {"participants": [person.pk]}
        )
        assert response.status_code == 302
        offer = CheckinOffer.objects.get(participant=person)
        client.force_login(person)
        home = client.get(reverse("facilitation:participant_home")).content.decode()
        assert "A one-to-one conversation, if you would like one" in home
        tapped = client.post(reverse("sessions:checkin_offer", args=[offer.pk]))
        assert tapped.status_code == 302
        assert tapped["Location"] == reverse("sessions:checkin_book") + "?kind=on_request"
        offer.refresh_from_db()
        assert offer.accepted_at is not None
        assert (
            "A one-to-one conversation, if you would like one"
            not in client.get(reverse("facilitation:participant_home")).content.decode()
        )


def test_the_run_page_offers_only_for_a_heavy_session_once_started(client):
    cohort = heavy_cohort()
    enrol(cohort)
    client.force_login(cohort.facilitators.first())
    week_two = cohort.group_sessions.get(number=2)
    GroupSession.objects.filter(pk=week_two.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=3))
    assert "Offer a check-in" not in client.get(reverse("sessions:session_run", args=[week_two.pk])).content.decode()
    week_three = cohort.group_sessions.get(number=3)
    assert "Offer a check-in" not in client.get(reverse("sessions:session_run", args=[week_three.pk])).content.decode()


def test_no_manager_or_other_participant_sees_an_offer(client):
    cohort = heavy_cohort()
    facilitator = cohort.facilitators.first()
    person = enrol(cohort).participant
    neighbour = enrol(cohort).participant
    session, after = after_week_three(cohort)
    with time_machine.travel(after, tick=False):
        [offer] = checkin_offers_make(group_session=session, participants=[person], by=facilitator)
    CheckinOffer.objects.filter(pk=offer.pk).update(created_at=timezone.now() - datetime.timedelta(days=4))
    client.force_login(facilitator)
    assert person.full_name in client.get(reverse("facilitation:facilitator_home")).content.decode()
    for outsider in (neighbour, person.line_manager, ManagerFactory(), FacilitatorFactory()):
        client.force_login(outsider)
        assert client.get(reverse("sessions:checkin_offer", args=[offer.pk])).status_code in (403, 404)
        assert client.post(reverse("sessions:checkin_offer", args=[offer.pk])).status_code in (403, 404)
        home = client.get(reverse("home"), follow=True).content.decode()
        assert "if you would like one" not in home
        assert "Check-in offers not taken up" not in home
    offer.refresh_from_db()
    assert offer.accepted_at is None


@pytest.mark.parametrize("size", [2, 9])
def test_the_facilitator_home_lists_offers_in_constant_queries(client, django_assert_num_queries, size):
    cohort = heavy_cohort(capacity=10)
    facilitator = cohort.facilitators.first()
    people = [enrol(cohort).participant for _ in range(size)]
    session, after = after_week_three(cohort)
    with time_machine.travel(after, tick=False):
        checkin_offers_make(group_session=session, participants=people, by=facilitator)
    with time_machine.travel(after + datetime.timedelta(days=4), tick=False):
        client.force_login(facilitator)
        # session, user, bell, the page cache's scopes, cohorts, their sessions, apologies and absences, offers
        # (2: their ids, then with their related rows), risk alerts (1: none), feed, check-ins (3)
        with django_assert_num_queries(14):
            body = client.get(reverse("facilitation:facilitator_home")).content.decode()
    assert body.count('class="offer-not-taken-up"') == size


@pytest.mark.parametrize("size", [2, 8])
def test_run_page_and_participant_home_with_offers_run_constant_queries(client, django_assert_num_queries, size):
    cohort = heavy_cohort(capacity=10)
    facilitator = cohort.facilitators.first()
    people = [enrol(cohort).participant for _ in range(size)]
    session, after = after_week_three(cohort)
    with time_machine.travel(after, tick=False):
        checkin_offers_make(group_session=session, participants=people, by=facilitator)
        client.force_login(facilitator)
        with django_assert_num_queries(9):  # as in tests/facilitation/test_cohort_pages.py, no access-log insert
            body = client.get(reverse("sessions:session_run", args=[session.pk])).content.decode()
        assert body.count("offered</span>") == size
        client.force_login(people[0])
        # The participant home with an offer shown (no protected-time lines): its first visit (with the page
        # cache's scopes), then from the cache.
        with django_assert_num_queries(20):
            body = client.get(reverse("facilitation:participant_home")).content.decode()
        assert body.count('class="steady-panel mb-3 checkin-offer"') == 1
        with django_assert_num_queries(2):
            body = client.get(reverse("facilitation:participant_home")).content.decode()
        assert body.count('class="steady-panel mb-3 checkin-offer"') == 1
