"""Two submits of one response at the same moment on PostgreSQL: one wins, nothing is stored twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.errors import DomainError
from measures.models import Item, Response, RiskAlert, Score
from measures.services import measures_load_builtin, response_answer, response_start, response_submit
from tests.factories import CohortFactory, FacilitatorFactory, ParticipantFactory

pytestmark = [pytest.mark.measures, pytest.mark.services]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_store_one_set_of_scores_and_one_alert(require_postgres):
    measures = {m.code: m for m, _state in measures_load_builtin()}
    participant = ParticipantFactory()
    cohort = CohortFactory(facilitators=[FacilitatorFactory()])
    response = response_start(
        measure=measures["phq-9"], participant=participant, cohort=cohort, time_point="end", by=participant
    )
    for number in range(1, 10):
        item = Item.objects.get(measure=measures["phq-9"], number=number)
        response_answer(response=response, item=item, value=1, by=participant)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait()
            response_submit(response=Response.objects.get(pk=response.pk), by=participant)
            outcomes.append("submitted")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused", "submitted"]
    assert Score.objects.filter(response=response).count() == 1
    assert RiskAlert.objects.filter(response=response).count() == 1
