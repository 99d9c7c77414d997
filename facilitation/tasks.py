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


# --- Protected time ---------------------------------------------------------


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=110, time_limit=150)
def protected_time_track() -> int:
    """Fire every due tracking step (manager reminder, escalation, first-session alert); return how many fired.

    Safe to run twice at once: each step is claimed by a unique row in the
    same transaction as its reminders.
    """
    from facilitation.selectors import protected_time_due_escalations
    from facilitation.services import protected_time_escalation_fire

    return sum(
        protected_time_escalation_fire(request_id=request_id, level=level)
        for request_id, level in protected_time_due_escalations()
    )


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=110, time_limit=150)
def protected_time_weekly_digest() -> int:
    """Write this week's digest reminder for each manager with requests waiting (once per manager and week)."""
    from facilitation.services import protected_time_digest_schedule

    return protected_time_digest_schedule()
