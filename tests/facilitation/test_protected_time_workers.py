"""Two real Celery workers run the tracking job at the same moment (as two beats would): each step fires once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import EscalationStep
from facilitation.models import ProtectedTimeRequest
from facilitation.tasks import protected_time_track
from reminders.models import Reminder
from tests.facilitation.factories_protected_time import small_cohort, submitted
from tests.support.worker import wait_for

pytestmark = [pytest.mark.protected_time, pytest.mark.worker, pytest.mark.services]


@pytest.mark.django_db(transaction=True)
def test_job_sent_four_times_to_two_workers_fires_each_step_once(
    require_postgres, require_redis, celery_processes, purge_broker
) -> None:
    request = submitted(small_cohort(start_date=timezone.localdate() + timedelta(days=30)))
    # Waiting for three weeks: both the manager reminder and the escalation are due now.
    ProtectedTimeRequest.objects.filter(pk=request.pk).update(awaiting_since=timezone.now() - timedelta(days=21))
    workers = [celery_processes("pt-a", concurrency=2), celery_processes("pt-b", concurrency=2)]
    for _ in range(4):
        protected_time_track.delay()

    def fired_per_run() -> list[int]:
        pattern = r"protected_time_track\[[^\]]+\] succeeded in [\d.]+s: (\d+)"
        return [int(n) for w in workers for n in re.findall(pattern, w.log())]

    wait_for(lambda: len(fired_per_run()) == 4, timeout=60, message="four tracking runs to finish")
    assert sum(fired_per_run()) == 2  # across all four runs, two steps fired in all
    assert sorted(EscalationStep.objects.values_list("step", flat=True)) == ["escalation", "manager_reminder"]
    assert Reminder.objects.filter(kind="protected_time_manager_reminder").count() == 1
    assert Reminder.objects.filter(kind="protected_time_escalation").count() == 1
