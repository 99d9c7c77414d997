"""Calendar feeds and .ics downloads, parsed back with icalendar (RFC 5545 properties)."""

from __future__ import annotations

import datetime
import zoneinfo

import icalendar
import icalendar as ical
import pytest
import time_machine
from django.urls import reverse

from reminders.models import Reminder
from reminders.registry import get_kind
from sessions.services.calendar_feeds import calendar_feed_ensure, calendar_feed_rotate
from sessions.services.cohorts import cohort_create
from sessions.services.enrolments import enrolment_withdraw
from sessions.services.group_sessions import group_session_cancel, group_session_reschedule
from sessions.services.session_reminders import session_reminders_schedule
from tests.factories import (
    EnrolmentFactory,
    FacilitatorFactory,
    ParticipantFactory,
    cohort_with_sessions,
    enrol,
    programme_with_plans,
)

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]

LONDON = zoneinfo.ZoneInfo("Europe/London")


def feed_url(user) -> str:
    return calendar_feed_ensure(user=user).get_absolute_url()


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


@time_machine.travel(datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_feed_of_a_london_cohort_keeps_1300_local_across_end_of_bst_with_every_required_property(client):
    facilitator = FacilitatorFactory()
    programme = programme_with_plans(neutral_label="Team wellbeing group")
    cohort = cohort_create(
        programme=programme,
        name="Autumn group",
        facilitators=[facilitator],
        start_date=datetime.date(2026, 9, 22),
        start_time=datetime.time(13, 0),
        time_zone="Europe/London",
        holiday_region="GB-ENG",
        venue="Wellbeing room",
        by=facilitator,
    )
    place = enrol(cohort)
    cancelled = cohort.group_sessions.get(number=4)
    group_session_cancel(group_session=cancelled, reason="Room closed", by=facilitator)

    calendar = parse(client.get(feed_url(place.participant)))
    events = calendar.walk("VEVENT")
    assert len(events) == 14  # twelve weekly sessions and the two boosters planned from the start
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/London"]
    assert {sub.name for sub in timezones[0].subcomponents} >= {"STANDARD", "DAYLIGHT"}
    uids = set()
    for event in events:
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "STATUS"):
            assert prop in event, prop
        uids.add(str(event["UID"]))
        stamp = event["DTSTAMP"].dt
        assert stamp.utcoffset() == datetime.timedelta(0)
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        start = event["DTSTART"].dt
        assert start.astimezone(LONDON).time() == datetime.time(13, 0)
        assert str(event["SUMMARY"]) == "Team wellbeing group"
    assert len(uids) == len(events)
    by_uid = {str(e["UID"]): e for e in events}
    gone = by_uid[f"{cancelled.uid}@steady"]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert int(gone["SEQUENCE"]) == 1
    starts = sorted(e["DTSTART"].dt for e in events)
    utc_hours = {s.astimezone(datetime.UTC).hour for s in starts}
    assert utc_hours == {12, 13}


def test_uid_is_stable_and_sequence_rises_when_a_session_moves(client):
    cohort = cohort_with_sessions()
    place = enrol(cohort)
    url = feed_url(place.participant)
    first = {str(e["UID"]): int(e["SEQUENCE"]) for e in parse(client.get(url)).walk("VEVENT")}
    session = cohort.group_sessions.get(number=2)
    group_session_reschedule(
        group_session=session,
        local_date=session.local_date + datetime.timedelta(days=1),
        reason="Room",
        by=cohort.facilitators.first(),
    )
    second = {str(e["UID"]): int(e["SEQUENCE"]) for e in parse(client.get(url)).walk("VEVENT")}
    assert first.keys() == second.keys()
    assert second[f"{session.uid}@steady"] == 1
    assert sum(second.values()) == 1


def test_feed_answers_304_to_a_conditional_get_until_something_changes(client):
    cohort = cohort_with_sessions()
    place = enrol(cohort)
    url = feed_url(place.participant)
    response = client.get(url)
    etag = response["ETag"]
    assert response["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    group_session_cancel(
        group_session=cohort.group_sessions.get(number=5), reason="Closed", by=cohort.facilitators.first()
    )
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_feed_answers_head_as_calendar_apps_send_it(client):
    place = enrol(cohort_with_sessions())
    response = client.head(feed_url(place.participant))
    assert response.status_code == 200
    assert response["ETag"]


def test_feed_is_modified_after_a_withdrawal_for_a_calendar_that_only_sends_if_modified_since(client):
    start = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        staying = enrol(cohort_with_sessions())
        place = enrol(cohort_with_sessions(), staying.participant)
        url = feed_url(place.participant)
        first = client.get(url)
        assert len(parse(first).walk("VEVENT")) == 24
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        enrolment_withdraw(enrolment=place, reason="", by=place.participant)
        after = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert after.status_code == 200
    assert len(parse(after).walk("VEVENT")) == 12


def test_participant_feed_holds_only_enrolled_or_completed_places(client):
    enrolled_cohort = cohort_with_sessions()
    invited_cohort = cohort_with_sessions()
    person = ParticipantFactory()
    enrol(enrolled_cohort, person)

    EnrolmentFactory(cohort=invited_cohort, participant=person, status="acknowledged")
    events = parse(client.get(feed_url(person))).walk("VEVENT")
    expected = {f"{s.uid}@steady" for s in enrolled_cohort.group_sessions.all()}
    assert {str(e["UID"]) for e in events} == expected


def test_facilitator_feed_holds_their_cohorts(client):
    cohort = cohort_with_sessions()
    cohort_with_sessions()
    facilitator = cohort.facilitators.first()
    events = parse(client.get(feed_url(facilitator))).walk("VEVENT")
    assert len(events) == 12


def test_rotating_the_token_revokes_the_old_address(client):
    person = ParticipantFactory()
    old = feed_url(person)
    calendar_feed_rotate(user=person)
    assert client.get(old).status_code == 404
    assert client.get(feed_url(person)).status_code == 200
    assert client.get(reverse("sessions:calendar_feed", kwargs={"token": "guess"})).status_code == 404


def test_single_session_ics_for_members_only(client):
    cohort = cohort_with_sessions()
    place = enrol(cohort)
    session = cohort.group_sessions.get(number=1)
    url = reverse("sessions:session_ics", kwargs={"pk": session.pk})
    client.force_login(place.participant)
    events = parse(client.get(url)).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"{session.uid}@steady"]
    client.force_login(ParticipantFactory())
    assert client.get(url).status_code == 404
    client.force_login(FacilitatorFactory())
    assert client.get(url).status_code == 404


def test_session_reminder_context_has_the_ics_link_and_attachment():

    cohort = cohort_with_sessions()
    place = enrol(cohort)
    session_reminders_schedule(enrolment=place)

    reminder = Reminder.objects.filter(kind="session_tomorrow").select_related("recipient").first()
    context = get_kind("session_tomorrow").context(reminder)
    assert context["ics_url"].endswith(f"/group-sessions/{reminder.subject_id}/session.ics")
    name, content, mimetype = context["attachments"][0]
    assert mimetype == "text/calendar" and name.endswith(".ics")
    assert len(ical.Calendar.from_ical(content).walk("VEVENT")) == 1
    assert context["neutral_label"] == cohort.programme.neutral_label


def test_facilitator_events_say_which_cohort_and_week_while_participants_keep_the_neutral_title(client):
    cohort = cohort_with_sessions(name="Thursday group, Ward 7")
    place = enrol(cohort)
    facilitator = cohort.facilitators.first()
    theirs = {str(e["UID"]): str(e["SUMMARY"]) for e in parse(client.get(feed_url(facilitator))).walk("VEVENT")}
    week_three = cohort.group_sessions.get(number=3)
    assert theirs[f"{week_three.uid}@steady"] == "Thursday group, Ward 7: week 3"
    participant_titles = {str(e["SUMMARY"]) for e in parse(client.get(feed_url(place.participant))).walk("VEVENT")}
    assert participant_titles == {cohort.programme.neutral_label}
    url = reverse("sessions:session_ics", kwargs={"pk": week_three.pk})
    client.force_login(facilitator)
    [event] = parse(client.get(url)).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Thursday group, Ward 7: week 3"
    client.force_login(place.participant)
    [event] = parse(client.get(url)).walk("VEVENT")
    assert str(event["SUMMARY"]) == cohort.programme.neutral_label


def test_long_and_accented_places_are_escaped_and_folded_as_rfc_5545_says(client):
    venue = "Salle de bien-être; Pavillon Émile-Nelligan, 3e étage, " + "couloir B " * 8
    cohort = cohort_with_sessions(venue=venue, video_link="https://video.example.org/room/" + "a" * 60)
    place = enrol(cohort)
    response = client.get(feed_url(place.participant))
    for line in response.content.split(b"\r\n"):
        assert len(line) <= 75
    event = parse(response).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == f"{venue} / {cohort.video_link}"
    assert str(event["URL"]) == cohort.video_link


def test_the_first_calendar_address_does_not_speak_of_an_old_one(client):
    person = ParticipantFactory()
    client.force_login(person)
    first = client.post(reverse("sessions:calendar_feed_rotate"), {"next": "/"}, follow=True)
    said = " ".join(str(m) for m in first.context["messages"])
    assert "ready" in said and "old one" not in said
    again = client.post(reverse("sessions:calendar_feed_rotate"), {"next": "/"}, follow=True)
    assert "The old one no longer works" in " ".join(str(m) for m in again.context["messages"])


@pytest.mark.parametrize("cohorts", [1, 4])
def test_feed_runs_four_queries_whatever_its_size(client, django_assert_num_queries, cohorts):
    facilitator = FacilitatorFactory()
    for _ in range(cohorts):
        cohort = cohort_with_sessions(facilitators=[facilitator])
        enrol(cohort)
    url = feed_url(facilitator)
    with django_assert_num_queries(4):  # the address's owner, the sessions, the check-ins, places last changed
        response = client.get(url)
    assert len(parse(response).walk("VEVENT")) == 12 * cohorts
