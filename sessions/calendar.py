"""iCalendar (RFC 5545) for group sessions and check-ins: one VEVENT each, local times with a VTIMEZONE.

The summary is the programme's neutral label (for a check-in: "One-to-one meeting"), so a shared
or lock-screen calendar never reveals what the group is about, nor who is in it.
"""

from __future__ import annotations

import hashlib
import zoneinfo
from collections.abc import Iterable
from datetime import datetime

import icalendar
from django.utils import timezone
from django.utils.translation import gettext as _

from core.links import absolute_url
from sessions.models import CheckIn, GroupSession

PRODID = "-//Steady//Group sessions//EN"


def session_event(group_session: GroupSession, *, stamp: datetime) -> icalendar.Event:
    cohort = group_session.cohort
    tz = zoneinfo.ZoneInfo(cohort.time_zone)
    event = icalendar.Event()
    event.add("uid", f"{group_session.uid}@steady")
    event.add("dtstamp", stamp.astimezone(zoneinfo.ZoneInfo("UTC")))
    event.add("dtstart", group_session.starts_at.astimezone(tz))
    event.add("dtend", group_session.ends_at.astimezone(tz))
    event.add("sequence", group_session.sequence)
    event.add("summary", cohort.programme.neutral_label)
    event.add("last-modified", group_session.updated_at.astimezone(zoneinfo.ZoneInfo("UTC")))
    location = " / ".join(part for part in (cohort.venue, cohort.video_link) if part)
    if location:
        event.add("location", location)
    if cohort.video_link:
        event.add("url", cohort.video_link)
    if group_session.status == GroupSession.Status.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def checkin_event(checkin: CheckIn, *, stamp: datetime) -> icalendar.Event:
    """A check-in for either side's calendar: when, where and how; nobody's name, nothing clinical."""
    tz = zoneinfo.ZoneInfo(checkin.time_zone)
    event = icalendar.Event()
    event.add("uid", f"checkin-{checkin.pk}@steady")
    event.add("dtstamp", stamp.astimezone(zoneinfo.ZoneInfo("UTC")))
    event.add("dtstart", checkin.starts_at.astimezone(tz))
    event.add("dtend", checkin.ends_at.astimezone(tz))
    event.add("sequence", checkin.sequence)
    event.add("summary", _("One-to-one meeting"))
    event.add("last-modified", checkin.updated_at.astimezone(zoneinfo.ZoneInfo("UTC")))
    event.add("location", checkin.where)
    if checkin.place == CheckIn.Place.VIDEO and checkin.place_detail:
        event.add("url", checkin.place_detail)
    event.add("description", absolute_url("sessions:checkin_detail", pk=checkin.pk))
    event.add("status", "CANCELLED" if checkin.status == CheckIn.Status.CANCELLED else "CONFIRMED")
    return event


def calendar_build(
    sessions: Iterable[GroupSession], *, name: str = "Steady", checkins: Iterable[CheckIn] = ()
) -> bytes:
    """Return an iCalendar document with each session (select_related cohort__programme) and check-in."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for group_session in sessions:
        calendar.add_component(session_event(group_session, stamp=stamp))
    for checkin in checkins:
        calendar.add_component(checkin_event(checkin, stamp=stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


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
