"""Tasks of the measures app: thin, idempotent, ids in."""

from __future__ import annotations

from celery import shared_task

from measures.services import questionnaire_reminders_schedule


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=110, time_limit=150)
def questionnaire_reminders() -> int:
    """Remind participants whose questionnaires have opened (once per person, cohort and time point)."""

    return questionnaire_reminders_schedule()
