from __future__ import annotations

from celery import shared_task

from facilitation import services
from sessions.models import Cohort


@shared_task(acks_late=True, reject_on_worker_lost=True)
def cohorts_complete_ended() -> int:
    """Complete each running cohort whose weekly sessions are all behind it (idempotent)."""
    completed = 0
    for cohort_id in services.cohorts_due_for_completion():
        cohort = Cohort.objects.filter(pk=cohort_id, status=Cohort.Status.RUNNING).first()
        if cohort is not None:
            services.enrolments_complete(cohort=cohort, by=None)
            completed += 1
    return completed
