"""Helpers for the reminder engine's tests: rows due now, in bulk."""

from __future__ import annotations

import itertools
from datetime import datetime

from django.utils import timezone

from reminders.models import Reminder

SEQUENCE = itertools.count()


def due_reminders(recipients, *, per_recipient: int = 1, kind: str = "test_notice", due_at: datetime | None = None):
    """Create ``per_recipient`` due rows for each recipient (subject: the recipient), in one insert."""
    due_at = due_at or timezone.now()
    rows = [
        Reminder(
            kind=kind,
            recipient=person,
            subject_type="accounts.user",
            subject_id=str(person.pk),
            occurrence=f"n{next(SEQUENCE)}",
            due_at=due_at,
            context={"title": "Tomorrow at one", "body": f"Message {index} for {person.first_name}."},
        )
        for person in recipients
        for index in range(per_recipient)
    ]
    return Reminder.objects.bulk_create(rows, batch_size=500)


def row_for(person, kind: str, context: dict | None = None) -> Reminder:
    """One reminder of ``kind`` for ``person`` (subject: the person), due now."""
    return Reminder.objects.create(
        kind=kind,
        recipient=person,
        subject_type="accounts.user",
        subject_id=str(person.pk),
        due_at=timezone.now(),
        context=context or {},
    )
