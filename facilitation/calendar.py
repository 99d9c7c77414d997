"""The line manager's rota calendar: approved protected time of their staff as an .ics, in neutral words."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from facilitation.models import ProtectedTimeLine


def protected_time_rota_build(*, lines: Iterable[ProtectedTimeLine]) -> bytes:
    """One event per approved line (session plus travel and settling); nothing about the group's purpose."""
    calendar = Calendar()
    calendar.add("prodid", "-//Steady//Protected time//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Staff time away for a group"))
    stamp = timezone.now()
    for line in lines:
        enrolment = line.request.enrolment
        event = Event()
        event.add("uid", f"protected-time-{line.pk}@steady")
        event.add("dtstamp", stamp)
        event.add("sequence", line.group_session.sequence)
        event.add(
            "summary",
            _("%(name)s away: %(label)s")
            % {"name": enrolment.participant.full_name, "label": enrolment.cohort.programme.neutral_label},
        )
        event.add("dtstart", line.ends_at - timedelta(minutes=line.minutes))
        event.add("dtend", line.ends_at)
        event.add(
            "description",
            _("Approved time away from duties: %(hours)s hours, including travel and settling.")
            % {"hours": line.hours},
        )
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()
