"""Where and how a check-in happens (item 8): its place on screen, in the email and in calendars; the pack's prompts."""

from __future__ import annotations

import datetime
from datetime import UTC, timedelta

import icalendar
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from reminders.models import Reminder
from reminders.rendering import render_parts
from sessions.models import CheckIn, GroupSession
from sessions.selectors.checkin_prompts import checkin_prompts_for
from sessions.services.calendar_feeds import calendar_feed_ensure
from sessions.services.checkins import checkin_book, checkin_cancel, checkin_place_set
from tests.factories import EnrolmentFactory, ManagerFactory, ParticipantFactory, cohort_with_sessions, enrol
from tests.sessions.factories_checkins import cohort_with_people, weekly_window

pytestmark = [pytest.mark.safety, pytest.mark.django_db]

NOW = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday
SLOT = datetime.datetime(2026, 6, 8, 8, 0, tzinfo=UTC)  # 09:00 London, a week later


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        cohort, facilitator, people = cohort_with_people(participants=2)
        weekly_window(facilitator, weekday=0, start="09:00", end="11:00", minutes=30)
    return cohort, facilitator, people


def book(cohort, facilitator, person, **place):
    return checkin_book(
        actor=person,
        participant=person,
        facilitator=facilitator,
        cohort=cohort,
        kind="mid_programme",
        starts_at=SLOT,
        **place,
    )


# --- The place --------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_check_in_has_a_room_a_phone_call_or_an_https_video_link(world):
    cohort, facilitator, (amara, _ben) = world
    checkin = book(cohort, facilitator, amara, place="video", place_detail="https://video.nhs.uk/steady-room")
    assert (checkin.place, checkin.where) == ("video", "A video call: https://video.nhs.uk/steady-room")
    with pytest.raises(DomainError, match="starts with https://"):
        checkin_place_set(actor=facilitator, checkin=checkin, place="video", place_detail="http://video.example/r")
    with pytest.raises(DomainError, match="starts with https://"):
        checkin_place_set(actor=facilitator, checkin=checkin, place="video", place_detail="javascript:alert(1)")
    with pytest.raises(DomainError, match="which room"):
        checkin_place_set(actor=facilitator, checkin=checkin, place="room", place_detail=" ")
    checkin.refresh_from_db()
    assert checkin.place_detail == "https://video.nhs.uk/steady-room"
    moved = checkin_place_set(actor=facilitator, checkin=checkin, place="room", place_detail="Quiet room, Ward 3")
    assert (moved.where, moved.sequence) == ("In a room: Quiet room, Ward 3", 1)


@time_machine.travel(NOW, tick=False)
def test_a_booking_without_a_place_is_a_phone_call_and_an_http_link_is_refused_at_booking(world):
    cohort, facilitator, (amara, ben) = world
    assert book(cohort, facilitator, amara).where == "A phone call"
    with pytest.raises(DomainError, match="https://"):
        checkin_book(
            actor=ben,
            participant=ben,
            facilitator=facilitator,
            cohort=cohort,
            kind="mid_programme",
            starts_at=SLOT + timedelta(minutes=30),
            place="video",
            place_detail="http://insecure.example/room",
        )
    assert not CheckIn.objects.filter(participant=ben).exists()


@time_machine.travel(NOW, tick=False)
def test_both_sides_see_the_place_on_screen(client, world):
    cohort, facilitator, (amara, _ben) = world
    checkin = book(cohort, facilitator, amara, place="room", place_detail="Quiet room, Ward 3")
    for person in (amara, facilitator):
        client.force_login(person)
        body = client.get(checkin.get_absolute_url()).content.decode()
        assert "In a room: Quiet room, Ward 3" in body
        assert reverse("sessions:checkin_ics", args=[checkin.pk]) in body
    client.force_login(amara)
    assert "Quiet room, Ward 3" in client.get(reverse("facilitation:participant_home")).content.decode()
    client.force_login(facilitator)
    assert "Quiet room, Ward 3" in client.get(reverse("facilitation:facilitator_home")).content.decode()


@time_machine.travel(NOW, tick=False)
def test_booking_over_http_with_a_video_link_and_refusing_a_plain_one(client, world):
    _cohort, facilitator, (amara, _ben) = world
    client.force_login(amara)
    slot = f"{facilitator.pk}:{SLOT.isoformat()}"
    url = reverse("sessions:checkin_book")
    refused = client.post(url, {"kind": "mid_programme", "slot": slot, "place": "video", "place_detail": "www.x.org"})
    assert refused.status_code == 200 and "starts with https://" in refused.content.decode()
    booked = client.post(
        url, {"kind": "mid_programme", "slot": slot, "place": "video", "place_detail": "https://video.nhs.uk/r1"}
    )
    assert booked.status_code == 302
    assert CheckIn.objects.get(participant=amara).place_detail == "https://video.nhs.uk/r1"


@time_machine.travel(NOW, tick=False)
def test_the_facilitator_changes_the_place_over_http_and_outsiders_cannot(client, world):
    cohort, facilitator, (amara, ben) = world
    checkin = book(cohort, facilitator, amara)
    url = reverse("sessions:checkin_place", args=[checkin.pk])
    # Another participant: not theirs (404); managers: not a page of their role (403).
    for outsider, status in ((ben, 404), (ManagerFactory(), 403), (amara.line_manager, 403)):
        client.force_login(outsider)
        assert client.post(url, {"place": "room", "place_detail": "Room 9"}).status_code == status
    client.force_login(facilitator)
    client.post(url, {"place": "room", "place_detail": "Room 9"})
    checkin.refresh_from_db()
    assert checkin.where == "In a room: Room 9"


@time_machine.travel(NOW, tick=False)
def test_the_reminder_email_says_where_and_links_the_calendar_entry(world):
    cohort, facilitator, (amara, _ben) = world
    checkin = book(cohort, facilitator, amara, place="video", place_detail="https://video.nhs.uk/r1")
    subject, text, html = render_parts(Reminder.objects.get(kind="checkin_tomorrow"))
    assert "https://video.nhs.uk/r1" not in subject
    assert "Where and how: A video call: https://video.nhs.uk/r1" in text
    assert reverse("sessions:checkin_ics", args=[checkin.pk]) in text
    assert 'href="https://video.nhs.uk/r1"' in html
    checkin_place_set(actor=facilitator, checkin=checkin, place="room", place_detail="Room 9")
    _subject, text, _html = render_parts(Reminder.objects.get(kind="checkin_tomorrow"))
    assert "In a room: Room 9" in text


# --- Calendars --------------------------------------------------------------


def events(response) -> list:
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


@time_machine.travel(NOW, tick=False)
def test_check_ins_appear_in_the_participants_and_the_facilitators_feeds_with_their_place(client, world):
    cohort, facilitator, (amara, ben) = world
    checkin = book(cohort, facilitator, amara, place="video", place_detail="https://video.nhs.uk/r1")
    for person in (amara, facilitator):
        feed = events(client.get(calendar_feed_ensure(user=person).get_absolute_url()))
        [event] = [e for e in feed if str(e["UID"]) == f"checkin-{checkin.pk}@steady"]
        assert str(event["LOCATION"]) == "A video call: https://video.nhs.uk/r1"
        assert str(event["URL"]) == "https://video.nhs.uk/r1"
        assert str(event["SUMMARY"]) == "One-to-one meeting"  # nobody's name, nothing clinical
        assert event.decoded("DTSTART") == SLOT
    ben_feed = events(client.get(calendar_feed_ensure(user=ben).get_absolute_url()))
    assert not [e for e in ben_feed if str(e["UID"]).startswith("checkin-")]


@time_machine.travel(NOW, tick=False)
def test_a_changed_place_or_a_cancellation_changes_the_feed_and_its_sequence(client, world):
    cohort, facilitator, (amara, _ben) = world
    checkin = book(cohort, facilitator, amara)
    url = calendar_feed_ensure(user=amara).get_absolute_url()
    first = client.get(url)
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304
    checkin_place_set(actor=facilitator, checkin=checkin, place="room", place_detail="Room 9")
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    [event] = [e for e in events(changed) if str(e["UID"]).startswith("checkin-")]
    assert (str(event["LOCATION"]), int(event["SEQUENCE"])) == ("In a room: Room 9", 1)
    checkin_cancel(actor=amara, checkin=checkin)
    [event] = [e for e in events(client.get(url)) if str(e["UID"]).startswith("checkin-")]
    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCELLED", 2)


@time_machine.travel(NOW, tick=False)
def test_one_check_in_as_a_calendar_file_for_either_side_only(client, world):
    cohort, facilitator, (amara, ben) = world
    checkin = book(cohort, facilitator, amara, place="room", place_detail="Room 9")
    url = reverse("sessions:checkin_ics", args=[checkin.pk])
    for person in (amara, facilitator):
        client.force_login(person)
        [event] = events(client.get(url))
        assert str(event["LOCATION"]) == "In a room: Room 9"
    for outsider, status in ((ben, 404), (amara.line_manager, 403)):
        client.force_login(outsider)
        assert client.get(url).status_code == status


@pytest.mark.parametrize("count", [1, 3])
def test_the_feed_runs_constant_queries_whatever_the_number_of_check_ins(client, django_assert_num_queries, count):
    with time_machine.travel(NOW, tick=False):
        cohort, facilitator, people = cohort_with_people(participants=3)
        weekly_window(facilitator, weekday=0, start="09:00", end="11:00", minutes=30)
        for n, person in enumerate(people[:count]):
            book_at = SLOT + timedelta(minutes=30 * n)
            checkin_book(
                actor=person,
                participant=person,
                facilitator=facilitator,
                cohort=cohort,
                kind="on_request",
                starts_at=book_at,
                place="phone",
            )
        url = calendar_feed_ensure(user=facilitator).get_absolute_url()
        with django_assert_num_queries(4):  # feed owner, sessions, check-ins, places changed
            response = client.get(url)
    assert len([e for e in events(response) if str(e["UID"]).startswith("checkin-")]) == count


# --- The pack's three check-ins, prompted at the right time ----------------


def kinds(user, now):
    return [p.kind for p in checkin_prompts_for(user=user, now=now)]


def test_the_three_check_ins_are_prompted_at_the_right_time():
    cohort = cohort_with_sessions(holiday_region="")
    person = ParticipantFactory()
    EnrolmentFactory(cohort=cohort, participant=person, status="invited")
    weeks = {s.number: s for s in cohort.group_sessions.filter(kind="weekly")}
    assert kinds(person, weeks[1].starts_at - timedelta(days=3)) == ["pre_group"]
    type(cohort.enrolments.first()).objects.filter(participant=person).update(status="enrolled", place_number=1)
    assert kinds(person, weeks[2].starts_at) == []
    assert kinds(person, weeks[5].starts_at + timedelta(minutes=1)) == ["mid_programme"]
    assert kinds(person, weeks[6].starts_at) == ["mid_programme"]
    assert kinds(person, weeks[9].starts_at) == []
    assert kinds(person, weeks[11].starts_at) == ["end_of_programme"]
    assert kinds(person, weeks[12].ends_at + timedelta(weeks=3)) == ["end_of_programme"]
    assert kinds(person, weeks[12].ends_at + timedelta(weeks=5)) == []


@time_machine.travel(NOW, tick=False)
def test_a_prompt_goes_once_that_check_in_is_booked_and_comes_back_if_cancelled(world):
    cohort, facilitator, (amara, _ben) = world
    # The group is in its fifth week.
    GroupSession.objects.filter(cohort=cohort, kind="weekly", number__lte=5).update(
        starts_at=NOW - timedelta(hours=2), ends_at=NOW - timedelta(hours=1)
    )
    assert kinds(amara, timezone.now()) == ["mid_programme"]
    checkin = book(cohort, facilitator, amara)
    assert kinds(amara, timezone.now()) == []
    checkin_cancel(actor=amara, checkin=checkin)
    assert kinds(amara, timezone.now()) == ["mid_programme"]


@time_machine.travel(NOW, tick=False)
def test_the_prompt_shows_on_the_participant_home_with_the_booking_link(client, world):
    cohort, _facilitator, (amara, _ben) = world
    # The group is in its fifth week.
    GroupSession.objects.filter(cohort=cohort, kind="weekly", number__lte=5).update(
        starts_at=NOW - timedelta(hours=2), ends_at=NOW - timedelta(hours=1)
    )
    client.force_login(amara)
    body = client.get(reverse("facilitation:participant_home")).content.decode()
    assert "Time for a one-to-one check-in" in body
    assert reverse("sessions:checkin_book") + "?kind=mid_programme" in body


def test_a_withdrawn_place_is_not_prompted():
    cohort = cohort_with_sessions()
    place = enrol(cohort)
    type(place).objects.filter(pk=place.pk).update(status="withdrawn", place_number=None)
    first = cohort.group_sessions.order_by("starts_at").first()
    assert kinds(place.participant, first.starts_at - timedelta(days=1)) == []
