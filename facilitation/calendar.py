"""The line manager's rota calendar: approved protected time of their staff as an .ics, in neutral words."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from facilitation.models import ProtectedTimeLine
from sessions.calendar import calendar_add_timezones


def protected_time_rota_build(*, lines: Iterable[ProtectedTimeLine]) -> bytes:
    """One event per approved line (session plus travel and settling); nothing about the group's purpose.

    Each event says only "protected time", as a shared rota shows annual leave: not
    the group, not even its neutral label. Times are the cohort's local times.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Steady//Protected time//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Staff protected time"))
    stamp = timezone.now()
    for line in lines:
        enrolment = line.request.enrolment
        tz = zoneinfo.ZoneInfo(enrolment.cohort.time_zone)
        event = Event()
        event.add("uid", f"protected-time-{line.pk}@steady")
        event.add("dtstamp", stamp)
        event.add("sequence", line.group_session.sequence)
        event.add("summary", _("%(name)s: protected time") % {"name": enrolment.participant.full_name})
        event.add("dtstart", (line.ends_at - timedelta(minutes=line.minutes)).astimezone(tz))
        event.add("dtend", line.ends_at.astimezone(tz))
        event.add(
            "description",
            _("Approved protected time away from duties: %(hours)s hours, including travel and settling.")
            % {"hours": line.hours},
        )
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    calendar_add_timezones(calendar)
    return calendar.to_ical()
