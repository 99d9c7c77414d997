"""Calendar times across the clock changes, read back by a second, independent parser (vobject).

Steady writes its calendars with icalendar; vobject builds its own time zones
from the VTIMEZONE it reads (through dateutil), as other calendar apps do. An
event at 13:00 local before and after each change must read 13:00 local.
"""

from __future__ import annotations

import datetime
import zoneinfo

import icalendar
import pytest
import time_machine
import vobject
from django.urls import reverse

from facilitation.services.protected_time_decisions import protected_time_approve
from sessions.calendar import calendar_add_timezones, observances
from sessions.services.calendar_feeds import calendar_feed_ensure
from tests.facilitation.factories_protected_time import submitted
from tests.factories import ManagerFactory, ParticipantFactory, cohort_with_sessions, enrol, programme_with_plans

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]

# (time zone, first session, the change the twelve weeks cross)
CHANGES = [
    pytest.param("Europe/London", datetime.date(2026, 3, 3), datetime.date(2026, 3, 29), id="london-spring"),
    pytest.param("Europe/London", datetime.date(2026, 9, 22), datetime.date(2026, 10, 25), id="london-autumn"),
    pytest.param("America/Toronto", datetime.date(2026, 2, 17), datetime.date(2026, 3, 8), id="toronto-spring"),
    pytest.param("America/Toronto", datetime.date(2026, 10, 6), datetime.date(2026, 11, 1), id="toronto-autumn"),
]


def read_starts(content: bytes, time_zone: str) -> dict[str, tuple[datetime.datetime, datetime.datetime]]:
    """UID -> (the UTC instant vobject reads, the same in the zone's real local time)."""
    tz = zoneinfo.ZoneInfo(time_zone)
    calendar = vobject.readOne(content.decode())
    read = {}
    for event in calendar.vevent_list:
        instant = event.dtstart.value.astimezone(datetime.UTC)
        read[event.uid.value] = (instant, instant.astimezone(tz))
    return read


def cohort_across(time_zone: str, start: datetime.date):
    return cohort_with_sessions(
        programme=programme_with_plans(weeks=12), start_date=start, time_zone=time_zone, holiday_region=""
    )


@pytest.mark.parametrize(("time_zone", "start", "change"), CHANGES)
def test_feed_and_session_ics_read_1300_local_on_both_sides_of_the_change(client, time_zone, start, change):
    with time_machine.travel(datetime.datetime.combine(start, datetime.time(8), datetime.UTC), tick=False):
        cohort = cohort_across(time_zone, start)
        place = enrol(cohort)
        feed = client.get(calendar_feed_ensure(user=place.participant).get_absolute_url())
        sessions = list(cohort.group_sessions.order_by("starts_at"))
        assert sessions[0].local_date < change < sessions[-1].local_date
        read = read_starts(feed.content, time_zone)
        assert len(read) == len(sessions)
        for group_session in sessions:
            instant, local = read[f"{group_session.uid}@steady"]
            assert instant == group_session.starts_at
            assert local.time() == datetime.time(13, 0), group_session.local_date
        client.force_login(place.participant)
        after = next(s for s in sessions if s.local_date > change)
        single = client.get(reverse("sessions:session_ics", kwargs={"pk": after.pk}))
        [(instant, local)] = read_starts(single.content, time_zone).values()
        assert instant == after.starts_at and local.time() == datetime.time(13, 0)


@pytest.mark.parametrize(("time_zone", "start", "change"), CHANGES)
def test_rota_calendar_reads_the_approved_times_on_both_sides_of_the_change(client, time_zone, start, change):
    with time_machine.travel(datetime.datetime.combine(start, datetime.time(8), datetime.UTC), tick=False):
        cohort = cohort_across(time_zone, start)
        manager = ManagerFactory()
        request = submitted(cohort, ParticipantFactory(line_manager=manager))
        protected_time_approve(request=request, actor=manager)
        client.force_login(manager)
        content = client.get(reverse("facilitation:protected_time_calendar")).content
    calendar = vobject.readOne(content.decode())
    lines = {f"protected-time-{line.pk}@steady": line for line in request.lines.all()}
    assert len(calendar.vevent_list) == len(lines) == 12
    local_ends = set()
    for event in calendar.vevent_list:
        line = lines[event.uid.value]
        assert event.dtend.value.astimezone(datetime.UTC) == line.ends_at
        local_ends.add(line.ends_at.astimezone(zoneinfo.ZoneInfo(time_zone)).time())
    assert len(local_ends) == 1  # the same wall-clock time all along, whatever the offset


def test_time_zones_are_written_as_yearly_rules_for_the_years_spanned_only():
    london = observances("Europe/London", 2026, 2026)
    assert [(o.daylight, o.rule, o.start) for o in london] == [
        (True, "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", datetime.datetime(2025, 3, 30, 1, 0)),
        (False, "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", datetime.datetime(2025, 10, 26, 2, 0)),
    ]
    toronto = observances("America/Toronto", 2026, 2027)
    assert [(o.name, o.rule) for o in toronto] == [
        ("EDT", "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"),
        ("EST", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"),
    ]
    [kolkata] = observances("Asia/Kolkata", 2026, 2026)
    assert kolkata.rule is None and kolkata.offset_to == datetime.timedelta(hours=5, minutes=30)


def test_a_zone_that_abolished_summer_time_stops_its_rule_and_reads_right_after():
    saturdays = [datetime.datetime(2018, 12, 1, 13, 0), datetime.datetime(2020, 12, 5, 13, 0)]
    sao_paulo = zoneinfo.ZoneInfo("America/Sao_Paulo")  # no summer time since 2019
    calendar = icalendar.Calendar()
    for number, local in enumerate(saturdays):
        event = icalendar.Event()
        event.add("uid", str(number))
        event.add("dtstart", local.replace(tzinfo=sao_paulo))
        calendar.add_component(event)
    calendar_add_timezones(calendar)
    read = [e.dtstart.value.astimezone(datetime.UTC) for e in vobject.readOne(calendar.to_ical().decode()).vevent_list]
    assert read == [local.replace(tzinfo=sao_paulo).astimezone(datetime.UTC) for local in saturdays]
    assert [r.hour for r in read] == [15, 16]  # -02:00 in the summer of 2018, -03:00 all year by 2020


def test_every_zone_in_use_gets_its_own_vtimezone():
    calendar = icalendar.Calendar()
    for uid, zone in (("a", "Europe/London"), ("b", "America/Toronto"), ("c", "Australia/Sydney")):
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("dtstart", datetime.datetime(2026, 10, 6, 13, 0, tzinfo=zoneinfo.ZoneInfo(zone)))
        calendar.add_component(event)
    calendar_add_timezones(calendar)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [
        "America/Toronto",
        "Australia/Sydney",
        "Europe/London",
    ]
    assert b"RDATE" not in calendar.to_ical()
