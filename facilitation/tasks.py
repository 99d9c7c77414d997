"""Facilitation's periodic jobs: tracking protected-time requests (scheduled in config/celery_app.py)."""

from __future__ import annotations

from celery import shared_task

from facilitation.selectors.protected_time_tracking import protected_time_due_escalations
from facilitation.services.protected_time_tracking import protected_time_digest_schedule, protected_time_escalation_fire


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=110, time_limit=150)
def protected_time_track() -> int:
    """Fire every due tracking step (manager reminder, escalation, first-session alert); return how many fired.

    Safe to run twice at once: each step is claimed by a unique row in the
    same transaction as its reminders.
    """
    return sum(
        protected_time_escalation_fire(request_id=request_id, level=level)
        for request_id, level in protected_time_due_escalations()
    )


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=110, time_limit=150)
def protected_time_weekly_digest() -> int:
    """Write this week's digest reminder for each manager with requests waiting (once per manager and week)."""
    return protected_time_digest_schedule()
