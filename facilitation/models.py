"""Protected time: a participant's request to their line manager for the hours a cohort's sessions need."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- Protected time ---------------------------------------------------------
# One request per enrolment to the participant's line manager, one line per
# group session. Decisions are made line by line; the request's status is the
# summary of its lines. Every change is written by facilitation.services and
# recorded in ProtectedTimeEvent.


class ProtectedTimeRequest(models.Model):
    """A participant's request to their line manager for the hours a cohort's sessions need."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        PARTLY_APPROVED = "partly_approved", _("Partly approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    enrolment = models.OneToOneField(
        "group_sessions.Enrolment", on_delete=models.CASCADE, related_name="protected_time_request"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    # Bumped by every change; a decision made on an older version is refused (two deciders at once).
    version = models.PositiveIntegerField(default=0)
    # Bumped each time lines go back to the manager (sessions moved or added), so the
    # reminder and escalation ladder starts again, once, for the new question.
    cycle = models.PositiveSmallIntegerField(default=0)
    # Since when the manager has had something to decide (None when nothing is pending).
    awaiting_since = models.DateTimeField(null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Time agreed outside Steady (no line manager on file), recorded by a facilitator.
    external_note = models.TextField(_("how the time was agreed"), blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "awaiting_since"], name="pt_request_awaiting_idx")]

    def __str__(self) -> str:
        return f"Protected time for enrolment {self.enrolment_id} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status not in {self.Status.DRAFT, self.Status.WITHDRAWN}

    # These read ``lines.all()``, so a prefetch of lines keeps pages at a constant number of queries.
    @property
    def total_minutes(self) -> int:
        return sum(line.minutes for line in self.lines.all())

    @property
    def total_hours(self) -> float:
        return round(self.total_minutes / 60, 2)

    @property
    def pending_lines(self) -> list[ProtectedTimeLine]:
        return [line for line in self.lines.all() if line.decision == ProtectedTimeLine.Decision.PENDING]

    @property
    def pending_hours(self) -> float:
        return round(sum(line.minutes for line in self.pending_lines) / 60, 2)

    @property
    def first_starts_at(self) -> datetime | None:
        return min((line.starts_at for line in self.lines.all()), default=None)

    @property
    def last_starts_at(self) -> datetime | None:
        return max((line.starts_at for line in self.lines.all()), default=None)


class ProtectedTimeLine(models.Model):
    """The time one group session needs, and the manager's decision about it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    request = models.ForeignKey(ProtectedTimeRequest, on_delete=models.CASCADE, related_name="lines")
    group_session = models.ForeignKey(
        "group_sessions.GroupSession", on_delete=models.CASCADE, related_name="protected_time_lines"
    )
    # The times the manager is asked about (a copy, so a decision stays tied to the times it was about).
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(help_text=_("Session length plus the travel and settling buffer."))
    decision = models.CharField(max_length=10, choices=Decision, default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When a session moved after a decision: the times and decision before the move.
    previous_starts_at = models.DateTimeField(null=True, blank=True)
    previous_ends_at = models.DateTimeField(null=True, blank=True)
    previous_decision = models.CharField(max_length=10, choices=Decision, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "group_session"], name="pt_line_once_per_session"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="pt_line_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.group_session_id}: {self.minutes} min ({self.decision})"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)

    @property
    def moved(self) -> bool:
        return self.previous_starts_at is not None


class ProtectedTimeEvent(models.Model):
    """The record of a request: who did what, when, on whose behalf, with what comment."""

    class Action(models.TextChoices):
        DRAFTED = "drafted", _("Drafted")
        SUBMITTED = "submitted", _("Sent to the line manager")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        COMMENTED = "commented", _("Commented")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        RECORDED_EXTERNAL = "recorded_external", _("Recorded as agreed outside Steady")
        SESSIONS_CHANGED = "sessions_changed", _("Session times changed")
        SESSIONS_ADDED = "sessions_added", _("Sessions added")

    request = models.ForeignKey(ProtectedTimeRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when a deputy decided for the line manager.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lines = models.ManyToManyField(ProtectedTimeLine, blank=True, related_name="events")
    comment = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.at:%Y-%m-%d %H:%M}"


class ProtectedTimeDelegation(models.Model):
    """A line manager lets a deputy decide their staff's requests for a date range (leave)."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_given")
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_received")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="pt_delegation_dates_order"),
            models.CheckConstraint(condition=~Q(deputy=models.F("manager")), name="pt_delegation_not_to_self"),
        ]

    def __str__(self) -> str:
        return f"{self.manager_id} -> {self.deputy_id} {self.starts_on}..{self.ends_on}"


class ProtectedTimeStep(models.TextChoices):
    """The steps of the protected-time tracking ladder (fired rows are ``core.EscalationStep``)."""

    MANAGER_REMINDER = "manager_reminder", _("Reminder to the line manager")
    ESCALATION = "escalation", _("Escalation to facilitators and service leads")
    FIRST_SESSION_ALERT = "first_session_alert", _("First session soon without agreed time")


# The ladder's code in core.escalation and on its EscalationStep rows.
PROTECTED_TIME_LADDER = "protected_time"
