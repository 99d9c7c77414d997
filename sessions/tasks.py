"""Sessions' periodic jobs (scheduled in config/celery_app.py)."""

from __future__ import annotations

from celery import shared_task

from sessions.models import Cohort
from sessions.selectors.cohorts import cohorts_due_for_completion
from sessions.services.cohorts import enrolments_complete


@shared_task(acks_late=True, reject_on_worker_lost=True)
def cohorts_complete_ended() -> int:
    """Complete each running cohort whose weekly sessions are all behind it (idempotent)."""
    completed = 0
    for cohort_id in cohorts_due_for_completion():
        cohort = Cohort.objects.filter(pk=cohort_id, status=Cohort.Status.RUNNING).first()
        if cohort is not None:
            enrolments_complete(cohort=cohort, by=None)
            completed += 1
    return completed
