"""The reminder outbox: the database is the record of what must be sent; Celery does the sending."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Reminder(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(max_length=50)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    # What the reminder is about, as an app label + model and a primary key.
    subject_type = models.CharField(max_length=80)
    subject_id = models.CharField(max_length=40)
    # Tells apart several reminders of one kind about one subject (e.g. a date).
    occurrence = models.CharField(max_length=60, blank=True, default="")
    context = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
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
