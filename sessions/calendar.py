"""iCalendar (RFC 5545) for group sessions and check-ins: one VEVENT each, local times with an RRULE VTIMEZONE.

The summary is the programme's neutral label (for a check-in: "One-to-one meeting"), so a shared
or lock-screen calendar never reveals what the group is about, nor who is in it.
"""

from __future__ import annotations

import calendar as calendar_module
import hashlib
import zoneinfo
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import icalendar
from django.utils import timezone
from django.utils.translation import gettext as _

from core.links import absolute_url
from sessions.models import CheckIn, GroupSession

PRODID = "-//Steady//Group sessions//EN"

# --- Time zones ------------------------------------------------------------
# Each VTIMEZONE is written as Outlook and Google write theirs: one STANDARD and
# one DAYLIGHT observance with a yearly RRULE ("last Sunday of October"), only
# for the years the calendar's events span. icalendar's add_missing_timezones()
# writes every transition since 1970 as RDATE lists, which some parsers read
# with one offset for the whole year (13:00 after the October change shown as
# 12:00) and which made a feed slow to write.

_DAY = 86_400


@dataclass(frozen=True)
class Observance:
    """One run of yearly transitions that follow the same rule, or one fixed offset."""

    daylight: bool
    start: datetime  # local wall-clock time of the first transition, before it (naive)
    offset_from: timedelta
    offset_to: timedelta
    name: str
    rule: str | None  # "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", or None for a single transition
    until: datetime | None  # UTC instant of the run's last transition when a later rule replaces it


def _weekday_rule(local: datetime) -> tuple[int, str]:
    """The month and BYDAY ("-1SU", "2SU") of a transition's local date."""
    code = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[local.weekday()]
    days_in_month = calendar_module.monthrange(local.year, local.month)[1]
    if local.day + 7 > days_in_month:
        return local.month, f"-1{code}"
    return local.month, f"{(local.day - 1) // 7 + 1}{code}"


def _transitions(tz: zoneinfo.ZoneInfo, first_year: int, last_year: int) -> list[tuple[int, timedelta, timedelta]]:
    """Every (UTC timestamp, offset before, offset after) from ``first_year`` to ``last_year`` inclusive."""
    start = int(datetime(first_year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(last_year + 1, 1, 1, tzinfo=UTC).timestamp())

    def offset(ts: int) -> timedelta:
        return datetime.fromtimestamp(ts, tz).utcoffset()

    found = []
    previous = offset(start)
    ts = start
    while ts < end:
        following = min(ts + _DAY, end)
        after = offset(following)
        if after != previous:
            low, high = ts, following  # offset(low) == previous, offset(high) == after
            while high - low > 60:
                middle = (low + high) // 2
                if offset(middle) == previous:
                    low = middle
                else:
                    high = middle
            found.append((high - high % 60, previous, after))
            previous = after
        ts = following
    return found


@lru_cache(maxsize=256)
def observances(time_zone: str, first_year: int, last_year: int) -> tuple[Observance, ...]:
    """The observances of ``time_zone`` that a calendar of events in these years needs.

    The year before ``first_year`` is included so that every event falls after
    the onset of an observance, as RFC 5545 parsers expect.
    """
    tz = zoneinfo.ZoneInfo(time_zone)
    transitions = _transitions(tz, first_year - 1, last_year)
    if not transitions:
        moment = datetime(first_year, 1, 1, tzinfo=UTC).astimezone(tz)
        offset = moment.utcoffset()
        return (Observance(False, datetime(1970, 1, 1), offset, offset, moment.tzname() or time_zone, None, None),)
    runs: list[list] = []  # [daylight, key, first local, offsets, name, last utc, count]
    for ts, before, after in transitions:
        instant = datetime.fromtimestamp(ts, UTC)
        local_before = (instant + before).replace(tzinfo=None)
        after_local = instant.astimezone(tz)
        daylight = bool(after_local.dst())
        month, byday = _weekday_rule(local_before)
        key = (daylight, month, byday, local_before.time(), before, after, after_local.tzname())
        same = [run for run in runs if run[0] == daylight]
        if same and same[-1][1] == key and same[-1][5].year == instant.year - 1:
            same[-1][5] = instant
            same[-1][6] += 1
        else:
            runs.append([daylight, key, local_before, (before, after), after_local.tzname() or time_zone, instant, 1])
    result = []
    for daylight, key, first_local, (before, after), name, last, count in runs:
        month, byday = key[1], key[2]
        # A run of one transition (a zone that changed its standard time once) needs no rule.
        rule = f"FREQ=YEARLY;BYMONTH={month};BYDAY={byday}" if count > 1 else None
        # A rule that stopped within the span (replaced, or summer time abolished) ends with its last change.
        until = last if rule and last.year < last_year else None
        result.append(Observance(daylight, first_local, before, after, name, rule, until))
    return tuple(result)


def timezone_component(time_zone: str, first_year: int, last_year: int) -> icalendar.Timezone:
    component = icalendar.Timezone()
    component.add("tzid", time_zone)
    for observance in observances(time_zone, first_year, last_year):
        part = icalendar.TimezoneDaylight() if observance.daylight else icalendar.TimezoneStandard()
        part.add("dtstart", observance.start)
        part.add("tzoffsetfrom", observance.offset_from)
        part.add("tzoffsetto", observance.offset_to)
        part.add("tzname", observance.name)
        if observance.rule:
            rule = icalendar.vRecur.from_ical(observance.rule)
            if observance.until:
                rule["UNTIL"] = observance.until
            part.add("rrule", rule)
        component.add_component(part)
    return component


def calendar_add_timezones(calendar: icalendar.Calendar) -> None:
    """Add an RRULE-style VTIMEZONE for every TZID the calendar's events use, for the years they span."""
    years: dict[str, list[int]] = {}
    for event in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            value = event.get(name)
            tzid = value.params.get("TZID") if value is not None else None
            if tzid:
                span = years.setdefault(tzid, [value.dt.year, value.dt.year])
                span[0], span[1] = min(span[0], value.dt.year), max(span[1], value.dt.year)
    for tzid, (first, last) in sorted(years.items()):
        calendar.add_component(timezone_component(tzid, first, last))


# --- Events ------------------------------------------------------------------
# A feed's events are written as content lines directly: a year of sessions goes
# out in a few milliseconds, where building icalendar objects for each took tens.
# The lines are the same RFC 5545 properties icalendar wrote (tests read them back
# with icalendar and with vobject); the VTIMEZONEs are still written by icalendar.

_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n", "\r": ""})


def _text(value: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and newline escaped."""
    return value.translate(_TEXT_ESCAPES)


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    if len(line) <= 75 and line.isascii():
        return line
    parts, current, size = [], [], 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def session_summary(group_session: GroupSession, *, detailed: bool = False) -> str:
    """The programme's neutral label; for those who run the cohort, which cohort and which week."""
    cohort = group_session.cohort
    if not detailed:
        return cohort.programme.neutral_label
    if group_session.kind == GroupSession.Kind.BOOSTER:
        return _("%(cohort)s: booster %(number)s") % {"cohort": cohort.name, "number": group_session.number}
    return _("%(cohort)s: week %(number)s") % {"cohort": cohort.name, "number": group_session.number}


def _event_head(
    *,
    summary: str,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    stamp: str,
    uid: str,
    sequence: int,
    updated_at: datetime,
) -> list[str]:
    """A VEVENT's opening lines: summary, start and end in the event's own time zone, stamp, identity, version."""
    tz = zoneinfo.ZoneInfo(time_zone)
    return [
        "BEGIN:VEVENT",
        f"SUMMARY:{_text(summary)}",
        f"DTSTART;TZID={time_zone}:{starts_at.astimezone(tz):%Y%m%dT%H%M%S}",
        f"DTEND;TZID={time_zone}:{ends_at.astimezone(tz):%Y%m%dT%H%M%S}",
        f"DTSTAMP:{stamp}",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"LAST-MODIFIED:{_utc(updated_at)}",
    ]


def session_event_lines(group_session: GroupSession, *, stamp: str, detailed: bool = False) -> list[str]:
    """The content lines of one session's VEVENT (``stamp`` is DTSTAMP, already in UTC form)."""
    cohort = group_session.cohort
    lines = _event_head(
        summary=session_summary(group_session, detailed=detailed),
        starts_at=group_session.starts_at,
        ends_at=group_session.ends_at,
        time_zone=cohort.time_zone,
        stamp=stamp,
        uid=f"{group_session.uid}@steady",
        sequence=group_session.sequence,
        updated_at=group_session.updated_at,
    )
    location = " / ".join(part for part in (cohort.venue, cohort.video_link) if part)
    if location:
        lines.append(f"LOCATION:{_text(location)}")
    cancelled = group_session.status == GroupSession.Status.CANCELLED
    lines.append("STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED")
    if cohort.video_link:
        lines.append(f"URL:{cohort.video_link}")
    lines.append("END:VEVENT")
    return lines


def checkin_event_lines(checkin: CheckIn, *, stamp: str) -> list[str]:
    """A check-in for either side's calendar: when, where and how; nobody's name, nothing clinical."""
    lines = _event_head(
        summary=_("One-to-one meeting"),
        starts_at=checkin.starts_at,
        ends_at=checkin.ends_at,
        time_zone=checkin.time_zone,
        stamp=stamp,
        uid=f"checkin-{checkin.pk}@steady",
        sequence=checkin.sequence,
        updated_at=checkin.updated_at,
    )
    lines.append(f"LOCATION:{_text(checkin.where)}")
    if checkin.place == CheckIn.Place.VIDEO and checkin.place_detail:
        lines.append(f"URL:{checkin.place_detail}")
    lines.append(f"DESCRIPTION:{_text(absolute_url('sessions:checkin_detail', pk=checkin.pk))}")
    lines.append("STATUS:CANCELLED" if checkin.status == CheckIn.Status.CANCELLED else "STATUS:CONFIRMED")
    lines.append("END:VEVENT")
    return lines


@lru_cache(maxsize=256)
def _timezone_text(time_zone: str, first_year: int, last_year: int) -> str:
    return timezone_component(time_zone, first_year, last_year).to_ical().decode()


def calendar_build(
    sessions: Iterable[GroupSession],
    *,
    name: str = "Steady",
    detailed_cohorts: Collection[int] = (),
    checkins: Iterable[CheckIn] = (),
) -> bytes:
    """Return an iCalendar document with each session (select_related cohort__programme) and check-in.

    Sessions of the cohorts in ``detailed_cohorts`` (those the reader runs) say which
    cohort and week; every other keeps the neutral label.
    """
    stamp = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(name)}",
    ]
    years: dict[str, tuple[int, int]] = {}
    events: list[str] = []

    def span(time_zone: str, year: int) -> None:
        first, last = years.get(time_zone, (year, year))
        years[time_zone] = (min(first, year), max(last, year))

    for group_session in sessions:
        cohort = group_session.cohort
        events.extend(session_event_lines(group_session, stamp=stamp, detailed=cohort.pk in detailed_cohorts))
        span(cohort.time_zone, group_session.local_date.year)
    for checkin in checkins:
        events.extend(checkin_event_lines(checkin, stamp=stamp))
        tz = zoneinfo.ZoneInfo(checkin.time_zone)
        span(checkin.time_zone, checkin.starts_at.astimezone(tz).year)
        span(checkin.time_zone, checkin.ends_at.astimezone(tz).year)
    zones = "".join(_timezone_text(zone, first, last) for zone, (first, last) in sorted(years.items()))
    body = "\r\n".join(_fold(line) for line in lines)
    events_text = "\r\n".join(_fold(line) for line in events)
    # Time zones first, as Outlook and Google write them, so a one-pass reader knows each TZID.
    return (body + "\r\n" + zones + events_text + ("\r\n" if events else "") + "END:VCALENDAR\r\n").encode()


def calendar_validators(
    sessions: Iterable[GroupSession], checkins: Iterable[CheckIn] = ()
) -> tuple[str, datetime | None]:
    """Return an ETag and Last-Modified for a feed: they change whenever any session or check-in changes."""
    digest = hashlib.sha256()
    latest: datetime | None = None
    for group_session in sessions:
        digest.update(f"{group_session.uid}:{group_session.sequence}:{group_session.updated_at.isoformat()};".encode())
        cohort_changed = group_session.cohort.updated_at
        for moment in (group_session.updated_at, cohort_changed):
            if latest is None or moment > latest:
                latest = moment
        digest.update(cohort_changed.isoformat().encode())
    for checkin in checkins:
        digest.update(f"checkin-{checkin.pk}:{checkin.sequence}:{checkin.updated_at.isoformat()};".encode())
        if latest is None or checkin.updated_at > latest:
            latest = checkin.updated_at
    return f'"{digest.hexdigest()[:32]}"', latest
