"""Sessions' periodic jobs (scheduled in config/celery_app.py)."""

from __future__ import annotations

from celery import shared_task

from sessions.models import Cohort, Enrolment
from sessions.selectors.cohorts import cohorts_due_for_completion
from sessions.selectors.joining import cohort_join_closed
from sessions.services.cohorts import enrolments_complete
from sessions.services.joining import waitlist_closed_notify


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


@shared_task(acks_late=True, reject_on_worker_lost=True)
def waitlists_tell_closed() -> int:
    """Tell the waitlist of each group that closed to newcomers (its cut-off week's time passed) once.

    Marking the cut-off week held tells them at once; this catches a week nobody marked. Idempotent:
    each person's notice is one reminder row (kind and occurrence fixed).
    """
    told = 0
    waiting = Enrolment.objects.filter(status=Enrolment.Status.WAITLISTED, cohort__status__in=Cohort.OPEN_STATUSES)
    for cohort in Cohort.objects.filter(pk__in=waiting.values("cohort_id")).select_related("programme"):
        if cohort_join_closed(cohort=cohort):
            told += waitlist_closed_notify(cohort=cohort)
    return told
