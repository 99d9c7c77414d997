"""Cancelling many subjects' pending reminders in one UPDATE (for apps that end several subjects at once)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction

from reminders.models import Reminder


@transaction.atomic
def reminders_cancel_many(
    *,
    model: type[models.Model],
    subject_ids: Iterable[int],
    kinds: Iterable[str] | None = None,
    recipient: AbstractBaseUser | None = None,
    exclude_recipients: Iterable[AbstractBaseUser] | None = None,
) -> int:
    """Cancel the pending reminders about these subjects of ``model`` (optionally one recipient's); return how many."""
    rows = Reminder.objects.filter(
        subject_type=model._meta.label_lower,
        subject_id__in=[str(pk) for pk in subject_ids],
        status=Reminder.Status.PENDING,
    )
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    if recipient is not None:
        rows = rows.filter(recipient=recipient)
    if exclude_recipients is not None:
        rows = rows.exclude(recipient__in=list(exclude_recipients))
    return rows.update(status=Reminder.Status.CANCELLED)
