"""When people meet: cohorts, their dated group sessions and attendance.

Times are stored in UTC (``starts_at``) and computed from the cohort's
local wall-clock time (``local_date`` + ``Cohort.start_time`` in
``Cohort.time_zone``), so a weekly session keeps 13:00 local across
daylight-saving changes."""

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

    # Not yet ended: people can be invited and places confirmed.
    OPEN_STATUSES = (Status.PLANNING, Status.RECRUITING, Status.RUNNING)
    ENDED_STATUSES = (Status.COMPLETED, Status.CANCELLED)
    # The status changes a facilitator may make (completing and cancelling have their own steps).
    STATUS_TRANSITIONS: dict[str, set[str]] = {
        Status.PLANNING: {Status.RECRUITING, Status.CANCELLED},
        Status.RECRUITING: {Status.PLANNING, Status.RUNNING, Status.CANCELLED},
        Status.RUNNING: {Status.COMPLETED, Status.CANCELLED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
    }

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
        return reverse("sessions:cohort_detail", kwargs={"pk": self.pk})


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
