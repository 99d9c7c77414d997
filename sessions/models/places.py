"""Places in a cohort: a participant's enrolment through its life cycle, and invitations by email."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    """A participant's place in a cohort, through its life cycle."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACKNOWLEDGED = "acknowledged", _("Information acknowledged")
        ENROLLED = "enrolled", _("Enrolled")
        WAITLISTED = "waitlisted", _("Waitlisted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Completed")

    # The status groups, defined once: use these rather than listing statuses elsewhere.
    # A place not yet ended (joining, waiting or confirmed).
    ACTIVE_STATUSES = (Status.INVITED, Status.ACKNOWLEDGED, Status.ENROLLED, Status.WAITLISTED)
    # Holds or held a place: calendars, materials, boosters, the register.
    PLACE_STATUSES = (Status.ENROLLED, Status.COMPLETED)
    # On the way in, not yet confirmed.
    PENDING_STATUSES = (Status.INVITED, Status.ACKNOWLEDGED, Status.WAITLISTED)
    # Any place short of withdrawn: may book check-ins.
    CHECKIN_STATUSES = (*ACTIVE_STATUSES, Status.COMPLETED)

    cohort = models.ForeignKey("group_sessions.Cohort", on_delete=models.CASCADE, related_name="enrolments")
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.INVITED)
    # A confirmed place holds a numbered seat; the unique constraint with the
    # service's "seat <= capacity" check makes two confirmations of the last
    # place give one place and one "cohort is full".
    place_number = models.PositiveSmallIntegerField(null=True, blank=True)
    pack_acknowledged = models.ForeignKey(
        "programmes.InformationPack", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Opt-in: a reminder an hour before each session, besides the one the day before.
    remind_hour_before = models.BooleanField(_("remind me an hour before each session"), default=False)
    # Clinical: never shown to managers.
    withdrawal_reason = models.TextField(_("reason for leaving"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cohort", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "participant"], name="enrolment_once_per_cohort"),
            models.UniqueConstraint(
                fields=["cohort", "place_number"],
                condition=Q(place_number__isnull=False),
                name="enrolment_place_taken_once",
            ),
            models.CheckConstraint(
                condition=Q(place_number__isnull=True) | Q(status__in=["enrolled", "completed"]),
                name="enrolment_place_only_when_enrolled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} in {self.cohort} ({self.get_status_display()})"


class Invitation(models.Model):
    """A single-use, expiring invitation to join a cohort, by email."""

    cohort = models.ForeignKey("group_sessions.Cohort", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    # Only a hash of the token is kept; the token itself is only in the email.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set when the person chose "not for me now" on the invitation page (``used_at`` is set too).
    declined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.cohort}"


class PlaceOverride(models.Model):
    """A facilitator's recorded decision to go ahead with one person despite a rule that would stop them.

    ``LATE_JOIN``: the group is closed to newcomers (the programme's join cut-off has passed).
    ``SAFENESS``: someone close at work (line manager, direct report, same team) is already in the group.
    Kept for the audit trail; only the cohort's facilitators see it.
    """

    class Kind(models.TextChoices):
        LATE_JOIN = "late_join", _("Joining after the group closed")
        SAFENESS = "safeness", _("Someone close at work is in the group")

    cohort = models.ForeignKey("group_sessions.Cohort", on_delete=models.CASCADE, related_name="place_overrides")
    kind = models.CharField(max_length=12, choices=Kind)
    # The person, by email (an invitation may precede their account); the enrolment once there is one.
    email = models.EmailField()
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, null=True, blank=True, related_name="overrides")
    reason = models.TextField(_("reason"))
    # What the facilitator was warned about, as shown at the time.
    warning = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="place_override_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.email} in {self.cohort_id}"
