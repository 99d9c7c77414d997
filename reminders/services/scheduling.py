"""Writing reminder rows in the subject's own transaction: schedule, move, cancel, notify now."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from reminders.models import Reminder
from reminders.registry import get_kind

logger = logging.getLogger(__name__)


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
    """Create the reminder, or move it to ``due_at`` if it is still pending. Never sends twice.

    A cancelled reminder scheduled again comes back to life (its subject was restored);
    one that was already sent stays as it is.
    """
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
    if created:
        return reminder
    fields: list[str] = []
    if reminder.status == Reminder.Status.CANCELLED:
        reminder.status = Reminder.Status.PENDING
        fields.append("status")
    if reminder.status == Reminder.Status.PENDING:
        if reminder.due_at != due_at:
            reminder.due_at = due_at
            fields.append("due_at")
        if context is not None and reminder.context != context:
            reminder.context = context
            fields.append("context")
    if fields:
        # Conditional on the status read above, so a dispatcher's claim in between is never undone.
        prior = Reminder.Status.CANCELLED if "status" in fields else Reminder.Status.PENDING
        values = {name: getattr(reminder, name) for name in fields}
        Reminder.objects.filter(pk=reminder.pk, status=prior).update(**values)
    return reminder


def notify_now(
    *,
    kind: str,
    recipient: AbstractBaseUser,
    subject: models.Model,
    occurrence: str = "",
    context: dict | None = None,
) -> Reminder:
    """Schedule a reminder due now and wake the dispatcher when the transaction commits.

    For notices such as "the session moved": give each change its own ``occurrence``
    (e.g. the new start time) so every change is told once. If the broker is down, the
    request still succeeds and the next beat sends it.
    """
    reminder = reminder_schedule(
        kind=kind, recipient=recipient, subject=subject, due_at=timezone.now(), occurrence=occurrence, context=context
    )
    reminders_dispatch_soon()
    return reminder


def reminders_dispatch_soon() -> None:
    """Wake the dispatcher after the current transaction commits (a no-op if the broker is down)."""
    transaction.on_commit(_publish_dispatch)


def _publish_dispatch() -> None:
    from reminders.tasks import reminders_dispatch

    try:
        reminders_dispatch.apply_async(retry=False)
    except Exception:  # the broker is down: the beat finds the rows in the database later
        logger.warning("Could not wake the reminder dispatcher now; the next beat will send the reminder.")


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


@transaction.atomic
def reminders_move(
    *,
    subject: models.Model,
    due_at_for: Callable[[Reminder], datetime | None],
    kinds: Iterable[str] | None = None,
) -> int:
    """Move the subject's pending reminders to ``due_at_for(row)`` (None leaves a row); return how many moved."""
    moved = 0
    for row in reminders_for(subject, kinds=kinds).filter(status=Reminder.Status.PENDING):
        due_at = due_at_for(row)
        if due_at is None or due_at == row.due_at:
            continue
        moved += Reminder.objects.filter(pk=row.pk, status=Reminder.Status.PENDING).update(due_at=due_at)
    return moved
