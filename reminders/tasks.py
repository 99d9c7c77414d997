"""Reminder tasks: thin, take ids, and safe to run twice (so both ack late).

The beat runs ``reminders_dispatch`` every minute and once at start (config/celery_app.py). It claims due
rows in batches and hands each batch, by ids and claim token, to ``reminders_send``.
No task here is ever scheduled ahead: a retry moves the row's ``due_at``.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from reminders.services.dispatch import reminders_claim_due, reminders_release
from reminders.services.sending import reminders_send_batch

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reminders_dispatch() -> int:
    """Claim due reminders batch by batch and queue one send task per batch; return how many."""
    queued = 0
    for _batch in range(settings.STEADY_REMINDER_MAX_BATCHES):
        token, ids = reminders_claim_due(limit=settings.STEADY_REMINDER_BATCH_SIZE)
        if not ids:
            break
        try:
            reminders_send.apply_async((ids, token))
        except Exception:
            # The broker is down: give the rows back so the next run (or another beat) takes them.
            reminders_release(ids=ids, token=token)
            logger.warning("Broker unavailable; %d reminder(s) wait for the next dispatch.", len(ids))
            break
        queued += len(ids)
    return queued


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reminders_send(ids: list[int], token: str) -> int:
    """Send one claimed batch over one SMTP connection (rows re-checked against the claim token)."""
    return reminders_send_batch(ids=ids, token=token)
