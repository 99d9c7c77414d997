from celery import shared_task

from core.services import heartbeat_record


@shared_task(acks_late=True, reject_on_worker_lost=True)
def heartbeat() -> None:
    """Record that a worker is alive (idempotent, so late acks are safe)."""
    heartbeat_record(name="worker")
