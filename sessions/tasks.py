# --- Check-ins ---

from celery import shared_task  # noqa: E402, RUF100


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=5, max_retries=5)
def help_request_notify(help_request_id: int) -> int:
    """Email the cohort's facilitators about an "I'd like to talk" request (sends each row once)."""
    from sessions.services import help_request_notify_send

    return help_request_notify_send(help_request_id=help_request_id)
