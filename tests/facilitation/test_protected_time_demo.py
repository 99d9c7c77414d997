"""Demo protected-time requests: every state across both demo managers, idempotent."""

from __future__ import annotations

import pytest

from accounts import demo as accounts_demo
from core.demo import DemoContext
from facilitation.models import ProtectedTimeRequest
from facilitation.protected_time_demo import seed_protected_time
from tests.facilitation.factories_protected_time import small_cohort
from tests.factories import enrol

pytestmark = [pytest.mark.protected_time, pytest.mark.django_db]


def test_seed_makes_each_state_for_both_managers_and_is_idempotent() -> None:
    ctx = DemoContext()
    accounts_demo.seed(ctx)
    cohort = small_cohort()
    for participant in ctx.objects["participants"]:
        enrol(cohort, participant)
    seed_protected_time(ctx)
    seed_protected_time(ctx)
    requests = ProtectedTimeRequest.objects.select_related("enrolment__participant__line_manager")
    assert requests.count() == 8
    by_manager: dict[str, set[str]] = {}
    for request in requests:
        by_manager.setdefault(request.enrolment.participant.line_manager.email, set()).add(request.status)
    assert by_manager["manager@steady.example"] == {"submitted", "approved", "partly_approved"}
    assert by_manager["manager2@steady.example"] == {"submitted", "declined", "approved", "partly_approved"}
    assert ProtectedTimeRequest.objects.filter(status="partly_approved").first().events.count() == 4


def test_seed_without_cohorts_makes_nothing() -> None:
    ctx = DemoContext()
    accounts_demo.seed(ctx)
    seed_protected_time(ctx)
    assert not ProtectedTimeRequest.objects.exists()
