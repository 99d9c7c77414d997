"""Write reminder rows in the same transaction as the thing they are about."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction

from reminders.models import Reminder
from reminders.registry import get_kind


def subject_key(subject: models.Model) -> tuple[str, str]:
    return subject._meta.label_lower, str(subject.pk)


@transaction.atomic
def reminder_schedule(
    *,
    kind: str,
    recipient: AbstractBaseUser,
    subject: models.Model,
    due_at: datetime,
    occurrence: str = "",
    context: dict | None = None,
) -> Reminder:
    """Create the reminder, or move it to ``due_at`` if it is still pending. Never sends twice."""
    get_kind(kind)
    subject_type, subject_id = subject_key(subject)
    reminder, created = Reminder.objects.get_or_create(
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        recipient=recipient,
        occurrence=occurrence,
        defaults={"due_at": due_at, "context": context or {}},
    )
    if not created and reminder.status == Reminder.Status.PENDING and reminder.due_at != due_at:
        reminder.due_at = due_at
        reminder.save(update_fields=["due_at"])
    return reminder


def reminders_for(subject: models.Model, *, kinds: Iterable[str] | None = None) -> models.QuerySet[Reminder]:
    subject_type, subject_id = subject_key(subject)
    rows = Reminder.objects.filter(subject_type=subject_type, subject_id=subject_id)
    return rows.filter(kind__in=list(kinds)) if kinds is not None else rows


@transaction.atomic
def reminders_cancel(*, subject: models.Model, kinds: Iterable[str] | None = None) -> int:
    """Cancel the subject's pending reminders; return how many."""
    return (
        reminders_for(subject, kinds=kinds)
        .filter(status=Reminder.Status.PENDING)
        .update(status=Reminder.Status.CANCELLED)
    )
