"""Facilitation's periodic jobs: the weekly protected-time digest (scheduled in config/celery_app.py).

Tracking steps (manager reminder, escalation, first-session alert) are a ladder
walked by ``core.tasks.escalation_ladders_walk``; ``protected_time_track`` walks
that ladder alone, for an operator or a test.
"""

from __future__ import annotations

from celery import shared_task

from core.services import escalation_ladder_walk
from facilitation.models import PROTECTED_TIME_LADDER
from facilitation.services.protected_time_tracking import protected_time_digest_schedule


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=110, time_limit=150)
def protected_time_track() -> int:
    """Fire every due tracking step (manager reminder, escalation, first-session alert); return how many fired.

    Safe to run twice at once: each step is claimed by a unique row in the
    same transaction as its reminders.
    """
    return escalation_ladder_walk(ladder=PROTECTED_TIME_LADDER)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=110, time_limit=150)
def protected_time_weekly_digest() -> int:
    """Write this week's digest reminder for each manager with requests waiting (once per manager and week)."""
    return protected_time_digest_schedule()
