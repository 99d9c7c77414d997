"""One-to-one check-ins: facilitators' availability, bookings and "I'd like to talk" requests."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_time_zone
from sessions.models.cohorts import Cohort, Weekday

# How long one check-in lasts, in minutes: the one definition (model validators, database constraints,
# services and forms all use it).
CHECKIN_MIN_MINUTES, CHECKIN_MAX_MINUTES = 20, 60
CHECKIN_LENGTH_VALIDATORS = [MinValueValidator(CHECKIN_MIN_MINUTES), MaxValueValidator(CHECKIN_MAX_MINUTES)]


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
        _("check-in length (minutes)"),
        default=30,
        validators=CHECKIN_LENGTH_VALIDATORS,
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
                condition=Q(slot_minutes__gte=CHECKIN_MIN_MINUTES, slot_minutes__lte=CHECKIN_MAX_MINUTES),
                name="availability_window_slot_length",
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
        _("length (minutes)"),
        default=30,
        validators=CHECKIN_LENGTH_VALIDATORS,
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["facilitator", "local_date", "start_time"]
        constraints = [
            models.UniqueConstraint(fields=["facilitator", "local_date", "start_time"], name="availability_slot_once"),
            models.CheckConstraint(
                condition=Q(minutes__gte=CHECKIN_MIN_MINUTES, minutes__lte=CHECKIN_MAX_MINUTES),
                name="availability_slot_length",
            ),
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
    """A participant's "I'd like to talk": open on the facilitators' home until one handles it.

    Handled when a facilitator records what they did or books a check-in from
    it; left open past ``respond_by`` it climbs the "help_request" escalation
    ladder (``sessions/escalation_ladders.py``).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a facilitator")
        HANDLED = "handled", _("Handled")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="help_requests")
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_requests")
    # Clinical: only the cohort's facilitators see it.
    message = models.TextField(_("anything you would like us to know (optional)"), blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a facilitator will have responded: the service's working days in the cohort's region.
    respond_by = models.DateTimeField(null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    # Clinical: what the facilitator did (or "Check-in booked for ..."); only the cohort's facilitators see it.
    handled_note = models.TextField(_("what you did"), blank=True)
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

    class Place(models.TextChoices):
        ROOM = "room", _("In a room")
        PHONE = "phone", _("A phone call")
        VIDEO = "video", _("A video call")

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
    # Where and how: a room (its name), a phone call (the number, if one is agreed), or a video link (https only).
    place = models.CharField(_("where and how"), max_length=8, choices=Place, default=Place.PHONE)
    place_detail = models.CharField(_("room, phone number or video link"), max_length=300, blank=True)
    # Revision counter for calendar entries (RFC 5545 SEQUENCE): raised when the place or status changes.
    sequence = models.PositiveIntegerField(default=0)
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

    @property
    def where(self) -> str:
        """The place in words, for screens, emails and calendar entries."""
        label = self.get_place_display()
        return f"{label}: {self.place_detail}" if self.place_detail else str(label)


class CheckinOffer(models.Model):
    """A facilitator's private offer of a one-to-one check-in to one participant, after a heavy session.

    The participant sees it on their home page and in a neutral email, and takes it up with one tap
    (which opens the booking page). Only the cohort's facilitators and that participant see it.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="checkin_offers")
    group_session = models.ForeignKey(
        "group_sessions.GroupSession", on_delete=models.CASCADE, related_name="checkin_offers"
    )
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_offers")
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["group_session", "participant"], name="checkin_offer_once_per_session"),
        ]

    def __str__(self) -> str:
        return f"Check-in offer {self.pk} ({'taken up' if self.accepted_at else 'open'})"

    def get_absolute_url(self) -> str:
        return reverse("sessions:checkin_offer", kwargs={"pk": self.pk})
