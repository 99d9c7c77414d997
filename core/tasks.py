"""Core's periodic jobs: the worker heartbeat and the escalation ladders (scheduled in config/celery_app.py)."""

from celery import shared_task

from core import escalation
from core.services import clinical_records_purge, escalation_ladder_walk, heartbeat_record


@shared_task(acks_late=True, reject_on_worker_lost=True)
def heartbeat() -> None:
    """Record that a worker is alive (idempotent, so late acks are safe)."""
    heartbeat_record(name="worker")


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=110, time_limit=150)
def escalation_ladders_walk() -> int:
    """Fire every due step of every registered ladder; return how many fired.

    Safe to run twice at once: each step is claimed by a unique row in the
    same transaction as its notifications.
    """
    return sum(escalation_ladder_walk(ladder=ladder.code) for ladder in escalation.all_ladders())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_expired() -> dict[str, int]:
    """Delete clinical notes and answers of cohorts past retention (idempotent: a rerun finds nothing)."""
    return clinical_records_purge()
