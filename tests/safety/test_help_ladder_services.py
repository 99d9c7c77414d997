"""The help ladder under PostgreSQL: two beats at the same moment, and real Celery workers, fire each step once."""

from __future__ import annotations

import datetime
import re
from datetime import UTC, timedelta

import pytest
import time_machine
from django.utils import timezone

from core.models import EscalationStep
from core.services import escalation_step_fire
from core.tasks import escalation_ladders_walk
from reminders.models import Reminder
from sessions.models import HelpRequest
from sessions.services.help_requests import help_request_create
from tests.facilitation.test_protected_time_tracking import _race
from tests.factories import ServiceLeadFactory
from tests.sessions.factories_checkins import cohort_with_people
from tests.support.worker import wait_for

pytestmark = [pytest.mark.safety, pytest.mark.services]


def asked_long_ago() -> HelpRequest:
    ServiceLeadFactory()
    cohort, _facilitator, (amara, _ben) = cohort_with_people(participants=2)
    request = help_request_create(participant=amara, cohort=cohort)
    # Unanswered for three weeks: both steps are due now.
    HelpRequest.objects.filter(pk=request.pk).update(respond_by=timezone.now() - timedelta(days=21))
    return request


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_the_same_moment_fire_each_help_step_once(require_postgres) -> None:
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, 0, tzinfo=UTC), tick=False):
        request = asked_long_ago()
    now = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=UTC)

    def fire(step: str):
        return lambda: escalation_step_fire(ladder="help_request", subject_id=request.pk, step=step, now=now)

    results = _race([fire("facilitators"), fire("facilitators"), fire("service_lead"), fire("service_lead")])
    assert sorted(results) == [False, False, True, True]
    assert EscalationStep.objects.filter(ladder="help_request", subject_id=request.pk).count() == 2
    assert Reminder.objects.filter(kind="help_request_overdue").count() == 1  # one facilitator
    assert Reminder.objects.filter(kind="help_request_escalated").count() == 1  # one service lead


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_sent_four_times_to_two_real_workers_fires_each_help_step_once(
    require_postgres, require_redis, celery_processes, purge_broker
) -> None:
    asked_long_ago()
    workers = [celery_processes("ladder-a", concurrency=2), celery_processes("ladder-b", concurrency=2)]
    for _ in range(4):
        escalation_ladders_walk.delay()

    def fired_per_run() -> list[int]:
        pattern = r"escalation_ladders_walk\[[^\]]+\] succeeded in [\d.]+s: (\d+)"
        return [int(n) for w in workers for n in re.findall(pattern, w.log())]

    wait_for(lambda: len(fired_per_run()) == 4, timeout=60, message="four ladder walks to finish")
    assert sum(fired_per_run()) == 2
    assert sorted(EscalationStep.objects.filter(ladder="help_request").values_list("step", flat=True)) == [
        "facilitators",
        "service_lead",
    ]
    assert Reminder.objects.filter(kind="help_request_overdue").count() == 1
    assert Reminder.objects.filter(kind="help_request_escalated").count() == 1
