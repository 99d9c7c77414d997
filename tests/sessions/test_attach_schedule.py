"""attach_schedule (from the cohorts' sessions, read once) gives what attach_next_sessions and attach_progress ask
the database for: the same next session and the same progress, with held, cancelled and moved sessions about."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from sessions.models import GroupSession
from sessions.selectors.cohorts import attach_next_sessions, attach_progress, attach_schedule, cohort_sessions
from sessions.services.group_sessions import group_session_cancel
from tests.support.cohort_pages import running_cohort

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]


def schedules(cohorts, now) -> list[tuple]:
    return [(c.pk, c.next_session.pk if c.next_session else None, c.weeks_begun, c.weeks_total) for c in cohorts]


@pytest.mark.parametrize("hours", [-2, 0, 1, 24 * 9])
def test_attach_schedule_agrees_with_the_queries(hours: int) -> None:
    running = running_cohort(2, held=3)
    other = running_cohort(1, held=5)
    # The next session cancelled; one held early (its end still ahead of "now - 2 hours").
    upcoming = running.group_sessions.filter(status="scheduled").order_by("starts_at")
    group_session_cancel(group_session=upcoming[0], reason="Closed", by=running.facilitators.first())
    GroupSession.objects.filter(pk=other.group_sessions.get(number=6).pk).update(status="held")
    now = timezone.now() + datetime.timedelta(hours=hours)
    by_query = [running, other]
    attach_next_sessions(cohorts=by_query, now=now)
    attach_progress(cohorts=by_query, now=now)
    by_python = [type(running).objects.get(pk=running.pk), type(other).objects.get(pk=other.pk)]
    attach_schedule(cohorts=by_python, sessions=cohort_sessions(cohort_ids=[c.pk for c in by_python]), now=now)
    assert schedules(by_python, now) == schedules(by_query, now)
    assert by_python[0].next_session is not None and by_python[0].weeks_total == 11  # one cancelled
