"""Helpers for check-in tests: a facilitator with weekly availability, and a cohort with people in it."""

from __future__ import annotations

import datetime

from sessions.models import AvailabilityWindow
from tests.factories import FacilitatorFactory, ParticipantFactory, cohort_with_sessions, enrol


def weekly_window(facilitator, *, weekday: int, start: str, end: str, minutes: int = 30, valid_from=None):
    return AvailabilityWindow.objects.create(
        facilitator=facilitator,
        weekday=weekday,
        start_time=datetime.time.fromisoformat(start),
        end_time=datetime.time.fromisoformat(end),
        slot_minutes=minutes,
        time_zone=facilitator.time_zone,
        valid_from=valid_from or datetime.date(2020, 1, 1),
    )


def cohort_with_people(*, participants: int = 2, time_zone: str = "Europe/London", **kwargs):
    """Return (cohort, facilitator, [participants]) with enrolled places."""
    facilitator = FacilitatorFactory(time_zone=time_zone)
    cohort = cohort_with_sessions(facilitators=[facilitator], time_zone=time_zone, **kwargs)
    people = [ParticipantFactory(time_zone=time_zone) for _ in range(participants)]
    for person in people:
        enrol(cohort, person)
    return cohort, facilitator, people
