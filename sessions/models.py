"""When people meet: cohorts, their dated group sessions and attendance.

Times are stored in UTC (``starts_at``) and computed from the cohort's
local wall-clock time (``local_date`` + ``Cohort.start_time`` in
``Cohort.time_zone``), so a weekly session keeps 13:00 local across
daylight-saving changes.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_time_zone


class HolidayRegion(models.TextChoices):
    """Bank-holiday calendars, as (country, subdivision) codes of the `holidays` library."""

    NONE = "", _("No bank holidays")
    ENGLAND_WALES = "GB-ENG", _("England and Wales")
    SCOTLAND = "GB-SCT", _("Scotland")
    NORTHERN_IRELAND = "GB-NIR", _("Northern Ireland")
    ONTARIO = "CA-ON", _("Ontario")
    BRITISH_COLUMBIA = "CA-BC", _("British Columbia")
    IRELAND = "IE", _("Ireland")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Cohort(models.Model):
    """One run of a programme version, for a small group."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        RECRUITING = "recruiting", _("Recruiting")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(_("name"), max_length=150)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_cohorts", verbose_name=_("facilitators")
    )
    start_date = models.DateField(_("first session date"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start_time = models.TimeField(_("start time (local)"))
    session_minutes = models.PositiveSmallIntegerField(
        _("session length (minutes)"), validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    holiday_region = models.CharField(
        _("bank holidays"), max_length=10, choices=HolidayRegion, default=HolidayRegion.ENGLAND_WALES, blank=True
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.PLANNING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cohort_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("facilitation:cohort_detail", kwargs={"pk": self.pk})


class ClosureDate(models.Model):
    """A day the service is closed (beyond bank holidays): sessions on it move to the next free week."""

    date = models.DateField(_("date"), unique=True)
    description = models.CharField(_("why"), max_length=150)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y}: {self.description}"


class GroupSession(models.Model):
    """One dated meeting of a cohort: a weekly session (week 1..N) or a booster."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly session")
        BOOSTER = "booster", _("Booster session")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="group_sessions")
    session_plan = models.ForeignKey("programmes.SessionPlan", on_delete=models.PROTECT, related_name="group_sessions")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.WEEKLY)
    number = models.PositiveSmallIntegerField(_("number"))
    # Local date the regular weekly pattern gives, before any move.
    planned_date = models.DateField(_("planned date"))
    local_date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    moved_reason = models.CharField(_("why it moved"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.SCHEDULED)
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=300, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    group_notes = models.TextField(
        _("group notes"), blank=True, help_text=_("Themes of the session, not notes about individuals.")
    )
    # Stable identity and revision counter for calendar feeds (RFC 5545 UID and SEQUENCE).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "kind", "number"], name="group_session_unique_number"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="group_session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        prefix = _("Week") if self.kind == self.Kind.WEEKLY else _("Booster")
        return f"{self.cohort}: {prefix} {self.number}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        LEFT_EARLY = "left_early", _("Left early")
        APOLOGIES = "apologies", _("Sent apologies")
        ABSENT = "absent", _("Absent")

    group_session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=12, choices=Status)
    # Clinical: never shown to managers or other participants.
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group_session", "participant"], name="attendance_once_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.status} at {self.group_session_id}"


# --- Check-ins ---


class AvailabilityWindow(models.Model):
    """A weekly recurring window when a facilitator holds one-to-one check-ins.

    Times are wall-clock times in ``time_zone`` (the facilitator's, copied when
    the window is made), so 09:00 stays 09:00 across daylight-saving changes.
    Free slots are derived from windows, one-off slots, blocked dates and
    bookings (``sessions.selectors.free_slots``); they are never stored.
    """

    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability_windows"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start_time = models.TimeField(_("from (local)"))
    end_time = models.TimeField(_("until (local)"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("check-in length (minutes)"), default=30, validators=[MinValueValidator(20), MaxValueValidator(60)]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    valid_from = models.DateField(_("first date"))
    valid_until = models.DateField(_("last date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["facilitator", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="availability_window_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=20, slot_minutes__lte=60), name="availability_window_slot_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M} ({self.time_zone})"


class AvailabilitySlot(models.Model):
    """A one-off check-in slot on a given local date, outside the weekly windows."""

    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_off_slots")
    local_date = models.DateField(_("date"))
    start_time = models.TimeField(_("start (local)"))
    minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), default=30, validators=[MinValueValidator(20), MaxValueValidator(60)]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["facilitator", "local_date", "start_time"]
        constraints = [
            models.UniqueConstraint(fields=["facilitator", "local_date", "start_time"], name="availability_slot_once"),
            models.CheckConstraint(condition=Q(minutes__gte=20, minutes__lte=60), name="availability_slot_length"),
        ]

    def __str__(self) -> str:
        return f"{self.local_date} {self.start_time:%H:%M} ({self.minutes} min)"


class BlockedDate(models.Model):
    """A local date with no check-ins for this facilitator (leave, training)."""

    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_dates")
    date = models.DateField(_("date"))
    reason = models.CharField(_("note to yourself"), max_length=150, blank=True)

    class Meta:
        ordering = ["facilitator", "date"]
        constraints = [models.UniqueConstraint(fields=["facilitator", "date"], name="blocked_date_once")]

    def __str__(self) -> str:
        return f"{self.date}"


class HelpRequest(models.Model):
    """A participant's "I'd like to talk": open on the facilitators' home until one handles it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a facilitator")
        HANDLED = "handled", _("Handled")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="help_requests")
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_requests")
    # Clinical: only the cohort's facilitators see it.
    message = models.TextField(_("anything you would like us to know (optional)"), blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # One open request per person and cohort: asking twice does not page everyone twice.
            models.UniqueConstraint(
                fields=["cohort", "participant"], condition=Q(status="open"), name="help_request_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"Help request {self.pk} ({self.status})"


class CheckIn(models.Model):
    """A one-to-one meeting of a facilitator and a participant of one of their cohorts.

    The database refuses a second active booking for the same facilitator or
    participant at an overlapping time: unique starts (both databases), plus an
    exclusion constraint over ``tstzrange(starts_at, ends_at)`` on PostgreSQL
    and triggers on SQLite (added in migration ``0002_checkins``).
    """

    class Kind(models.TextChoices):
        PRE_GROUP = "pre_group", _("Before the group starts")
        MID_PROGRAMME = "mid_programme", _("Around the middle (week 6)")
        END_OF_PROGRAMME = "end_of_programme", _("At the end")
        ON_REQUEST = "on_request", _("I'd like to talk")

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        HELD = "held", _("Held")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")

    # Statuses that occupy the time (the constraints ignore cancelled ones).
    ACTIVE = ("booked", "held", "missed")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="checkins")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkins_facilitated"
    )
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins")
    kind = models.CharField(_("kind of check-in"), max_length=20, choices=Kind)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.BOOKED)
    help_request = models.ForeignKey(
        HelpRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="checkins"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    late_cancellation = models.BooleanField(_("cancelled at short notice"), default=False)
    # Clinical and private to the cohort's facilitators; every read is logged.
    notes = models.TextField(_("private notes"), blank=True)
    follow_up_actions = models.TextField(_("follow-up actions"), blank=True)
    # The only part the participant sees, and only once a facilitator shares it.
    shared_summary = models.TextField(_("summary to share with the participant"), blank=True)
    summary_shared_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="checkin_ends_after_start"),
            models.UniqueConstraint(
                fields=["facilitator", "starts_at"],
                condition=Q(status__in=["booked", "held", "missed"]),
                name="checkin_facilitator_start_once",
            ),
            models.UniqueConstraint(
                fields=["participant", "starts_at"],
                condition=Q(status__in=["booked", "held", "missed"]),
                name="checkin_participant_start_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in {self.pk} at {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("sessions:checkin_detail", kwargs={"pk": self.pk})


class CalendarFeed(models.Model):
    """A person's secret calendar subscription address; rotating the token revokes the old address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    # The token is the secret part of the address, shown to its owner so they can copy it again.
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"

    def get_absolute_url(self) -> str:
        return reverse("facilitation:calendar_feed", kwargs={"token": self.token})
