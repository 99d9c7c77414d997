"""The reminder outbox: the database is the record of what must be sent; Celery does the sending."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class Reminder(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        # The recipient turned this kind of email off; it still shows in their notifications.
        SKIPPED = "skipped", _("Turned off by the recipient")

    kind = models.CharField(max_length=50)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    # What the reminder is about, as an app label + model and a primary key.
    subject_type = models.CharField(max_length=80)
    subject_id = models.CharField(max_length=40)
    # Tells apart several reminders of one kind about one subject (e.g. a date).
    occurrence = models.CharField(max_length=60, blank=True, default="")
    # Dates and times are stored as ISO strings; keys ending in "_at" come back as datetimes in templates.
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Set by each claim; a sender marks a row sent only while the row still carries its token.
    claim_token = models.CharField(max_length=32, blank=True, default="", db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "recipient", "occurrence"],
                name="reminder_once_per_occurrence",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="reminder_due_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="reminder_subject_idx"),
            models.Index(fields=["recipient", "read_at"], name="reminder_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} at {self.due_at:%Y-%m-%d %H:%M}"


# What Steady has told a person (their notifications): sent, in-app only (email turned off), or email failed.
NOTIFIED_STATUSES = (Reminder.Status.SENT, Reminder.Status.SKIPPED, Reminder.Status.FAILED)


class ReminderPreference(models.Model):
    """One person's choice for one kind of reminder email. No row means the kind is on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preferences")
    kind = models.CharField(max_length=50)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="reminder_preference_once")]
        verbose_name = _("reminder preference")

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {'on' if self.enabled else 'off'}"
