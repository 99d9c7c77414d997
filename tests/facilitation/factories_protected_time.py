"""Helpers for protected-time tests: a small cohort, a confirmed place, a request at a given stage."""

from __future__ import annotations

import datetime

from facilitation.services.protected_time import protected_time_request_draft, protected_time_submit
from tests.factories import FacilitatorFactory, cohort_with_sessions, enrol, programme_with_plans


def small_cohort(*, weeks: int = 4, start_date: datetime.date | None = None, **kwargs):
    """A cohort of ``weeks`` weekly sessions (and a booster plan, not yet scheduled)."""
    if start_date is not None:
        kwargs["start_date"] = start_date
    return cohort_with_sessions(programme=programme_with_plans(weeks=weeks, boosters=1), **kwargs)


def drafted(cohort=None, participant=None):
    cohort = cohort or small_cohort()
    enrolment = enrol(cohort, participant)
    return protected_time_request_draft(enrolment=enrolment)


def submitted(cohort=None, participant=None):
    request = drafted(cohort, participant)
    return protected_time_submit(request=request, actor=request.enrolment.participant)


def facilitator_of(cohort):
    facilitator = cohort.facilitators.first()
    return facilitator or FacilitatorFactory()
