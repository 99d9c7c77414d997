from celery import shared_task

from core.services import clinical_records_purge, heartbeat_record


@shared_task(acks_late=True, reject_on_worker_lost=True)
def heartbeat() -> None:
    """Record that a worker is alive (idempotent, so late acks are safe)."""
    heartbeat_record(name="worker")


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_expired() -> dict[str, int]:
    """Delete clinical notes and answers of cohorts past retention (idempotent: a rerun finds nothing)."""
    return clinical_records_purge()
