"""Sessions' models, one module per concept; Django finds them through this package."""

from sessions.models.calendar_feeds import CalendarFeed
from sessions.models.checkins import (
    AvailabilitySlot,
    AvailabilityWindow,
    BlockedDate,
    CheckIn,
    CheckinOffer,
    HelpRequest,
)
from sessions.models.cohorts import Attendance, ClosureDate, Cohort, GroupSession, HolidayRegion, Weekday
from sessions.models.places import Enrolment, Invitation, PlaceOverride

__all__ = [
    "Attendance",
    "AvailabilitySlot",
    "AvailabilityWindow",
    "BlockedDate",
    "CalendarFeed",
    "CheckIn",
    "CheckinOffer",
    "ClosureDate",
    "Cohort",
    "Enrolment",
    "GroupSession",
    "HelpRequest",
    "HolidayRegion",
    "Invitation",
    "PlaceOverride",
    "Weekday",
]
