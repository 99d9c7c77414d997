"""Responses: start, save as you go, submit (scores, at most one risk alert), corrections, and what is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from core.errors import Conflict, DomainError, NotAllowed
from measures.models import Answer, Item, Response, RiskAlert, Score
from measures.services import (
    response_answer,
    response_correct,
    response_start,
    response_submit,
    risk_alert_acknowledge,
)
from tests.factories import CohortFactory, FacilitatorFactory, ParticipantFactory

pytestmark = pytest.mark.measures


def start(measures, participant, cohort, code="phq-9", time_point="baseline") -> Response:
    return response_start(
        measure=measures[code], participant=participant, cohort=cohort, time_point=time_point, by=participant
    )


def answer_all(response: Response, values: list[int], by) -> None:
    for number, value in enumerate(values, start=1):
        item = Item.objects.get(measure=response.measure, number=number)
        response_answer(response=response, item=item, value=value, by=by)


def item(measures, code: str, number: int) -> Item:
    return Item.objects.get(measure=measures[code], number=number)


# --- Starting ---------------------------------------------------------------------------------------


def test_start_makes_a_draft(measures, participant, cohort):
    with time_machine.travel("2026-03-02 09:00Z", tick=False):
        response = start(measures, participant, cohort)
    assert response.status == Response.Status.DRAFT
    assert response.started_at.isoformat() == "2026-03-02T09:00:00+00:00"
    assert response.submitted_at is None


def test_starting_again_picks_up_the_same_draft(measures, participant, cohort):
    first = start(measures, participant, cohort)
    response_answer(response=first, item=item(measures, "phq-9", 1), value=2, by=participant)
    again = start(measures, participant, cohort)
    assert again.pk == first.pk
    assert again.answers.get().value == 2
    assert Response.objects.count() == 1


def test_each_time_point_has_its_own_response(measures, participant, cohort):
    baseline = start(measures, participant, cohort, time_point="baseline")
    booster = start(measures, participant, cohort, time_point="booster-1")
    assert baseline.pk != booster.pk


@pytest.mark.parametrize("time_point", ["week-3", "booster-0", "booster-", "Baseline", ""])
def test_an_unknown_time_point_is_refused(measures, participant, cohort, time_point):
    with pytest.raises(DomainError):
        start(measures, participant, cohort, time_point=time_point)
    assert not Response.objects.exists()


def test_nobody_starts_a_response_for_someone_else(measures, participant, facilitator, cohort):
    with pytest.raises(NotAllowed):
        response_start(
            measure=measures["phq-9"], participant=participant, cohort=cohort, time_point="mid", by=facilitator
        )
    assert not Response.objects.exists()


def test_start_after_submitting_is_refused(measures, participant, cohort):
    response = start(measures, participant, cohort, code="gad-7")
    answer_all(response, [0] * 7, participant)
    response_submit(response=response, by=participant)
    with pytest.raises(NotAllowed, match="already submitted"):
        start(measures, participant, cohort, code="gad-7")
    assert Response.objects.count() == 1


# --- Answering ------------------------------------------------------------------------------------


def test_an_answer_is_saved_and_a_new_one_replaces_it(measures, participant, cohort):
    response = start(measures, participant, cohort)
    response_answer(response=response, item=item(measures, "phq-9", 3), value=1, by=participant)
    response_answer(response=response, item=item(measures, "phq-9", 3), value=3, by=participant)
    assert list(response.answers.values_list("item__number", "value")) == [(3, 3)]


@pytest.mark.parametrize("value", [-1, 4, 99])
def test_an_answer_outside_the_options_is_refused(measures, participant, cohort, value):
    response = start(measures, participant, cohort)
    with pytest.raises(DomainError, match="answers offered"):
        response_answer(response=response, item=item(measures, "phq-9", 1), value=value, by=participant)
    assert not Answer.objects.exists()


def test_a_scs_answer_of_0_is_refused_because_its_options_run_1_to_5(measures, participant, cohort):
    response = start(measures, participant, cohort, code="scs-sf")
    with pytest.raises(DomainError):
        response_answer(response=response, item=item(measures, "scs-sf", 1), value=0, by=participant)
    assert not Answer.objects.exists()


def test_an_answer_to_another_measures_item_is_refused(measures, participant, cohort):
    response = start(measures, participant, cohort)
    with pytest.raises(DomainError, match="not part of this questionnaire"):
        response_answer(response=response, item=item(measures, "gad-7", 1), value=1, by=participant)
    assert not Answer.objects.exists()


def test_nobody_answers_someone_elses_response(measures, participant, cohort):
    response = start(measures, participant, cohort)
    other = ParticipantFactory()
    with pytest.raises(NotAllowed):
        response_answer(response=response, item=item(measures, "phq-9", 1), value=1, by=other)
    assert not Answer.objects.exists()


def test_answering_a_submitted_response_is_refused(measures, participant, cohort):
    response = start(measures, participant, cohort)
    answer_all(response, [1] * 9, participant)
    response_submit(response=response, by=participant)
    with pytest.raises(NotAllowed, match="submitted"):
        response_answer(response=response, item=item(measures, "phq-9", 1), value=3, by=participant)
    assert Answer.objects.get(response=response, item__number=1).value == 1


# --- Submitting -----------------------------------------------------------------------------------


def test_submit_stores_the_score_and_band(measures, participant, cohort):
    response = start(measures, participant, cohort)
    answer_all(response, [1, 2, 1, 3, 0, 2, 1, 1, 0], participant)
    with time_machine.travel("2026-03-02 09:30Z", tick=False):
        submitted = response_submit(response=response, by=participant)
    assert submitted.status == Response.Status.SUBMITTED
    assert submitted.submitted_at.isoformat() == "2026-03-02T09:30:00+00:00"
    score = Score.objects.get(response=response)
    assert (score.value, score.band, score.answered, score.prorated) == (Decimal(11), "Moderate", 9, False)
    assert not RiskAlert.objects.exists()


def test_submit_stores_every_subscale(measures, participant, cohort):
    response = start(measures, participant, cohort, code="proqol-5")
    answer_all(response, [3] * 30, participant)
    response_submit(response=response, by=participant)
    scores = dict(Score.objects.filter(response=response).values_list("scale__code", "value"))
    assert scores == {
        "compassion-satisfaction": Decimal(30),
        "burnout": Decimal(30),
        "secondary-traumatic-stress": Decimal(30),
    }


def test_a_response_with_a_missing_item_stores_no_score_value(measures, participant, cohort):
    response = start(measures, participant, cohort, code="gad-7")
    answer_all(response, [2] * 6, participant)
    response_submit(response=response, by=participant)
    score = Score.objects.get(response=response)
    assert score.value is None
    assert score.answered == 6


def test_submitting_with_no_answers_is_refused(measures, participant, cohort):
    response = start(measures, participant, cohort)
    with pytest.raises(DomainError, match="at least one"):
        response_submit(response=response, by=participant)
    assert Response.objects.get().status == Response.Status.DRAFT


def test_a_risk_answer_raises_exactly_one_alert(measures, participant, cohort):
    response = start(measures, participant, cohort)
    answer_all(response, [0, 0, 0, 0, 0, 0, 0, 0, 2], participant)
    response_submit(response=response, by=participant)
    alert = RiskAlert.objects.get()
    assert alert.response == response
    assert alert.item.number == 9
    assert alert.acknowledged_at is None


def test_a_double_submit_is_refused_and_nothing_is_stored_twice(measures, participant, cohort):
    response = start(measures, participant, cohort)
    answer_all(response, [0, 0, 0, 0, 0, 0, 0, 0, 3], participant)
    response_submit(response=response, by=participant)
    with pytest.raises(NotAllowed):
        response_submit(response=response, by=participant)
    assert Score.objects.count() == 1
    assert RiskAlert.objects.count() == 1


def test_a_submit_that_fails_half_way_stores_nothing(measures, participant, cohort):
    response = start(measures, participant, cohort)
    answer_all(response, [1, 1, 1, 1, 1, 1, 1, 1, 1], participant)
    # An alert already on this response makes the alert insert fail after the scores were written.
    RiskAlert.objects.create(response=response, item=item(measures, "phq-9", 9), created_at=response.started_at)
    with pytest.raises(IntegrityError):
        response_submit(response=response, by=participant)
    response.refresh_from_db()
    assert response.status == Response.Status.DRAFT
    assert response.submitted_at is None
    assert not Score.objects.exists()


def test_nobody_submits_someone_elses_response(measures, participant, cohort):
    response = start(measures, participant, cohort)
    answer_all(response, [0] * 9, participant)
    with pytest.raises(NotAllowed):
        response_submit(response=response, by=ParticipantFactory())
    assert Response.objects.get().status == Response.Status.DRAFT


def test_a_stale_copy_of_a_submitted_response_cannot_submit_again(measures, participant, cohort):
    response = start(measures, participant, cohort)
    stale = Response.objects.get(pk=response.pk)
    answer_all(response, [0] * 9, participant)
    response_submit(response=response, by=participant)
    with pytest.raises((NotAllowed, Conflict)):
        response_submit(response=stale, by=participant)
    assert Score.objects.count() == 1


# --- Corrections ----------------------------------------------------------------------------------


def test_a_correction_is_a_new_linked_draft_with_a_copy_of_the_answers(measures, participant, cohort):
    original = start(measures, participant, cohort)
    answer_all(original, [1] * 9, participant)
    response_submit(response=original, by=participant)
    correction = response_correct(response=original, by=participant)
    assert correction.pk != original.pk
    assert correction.corrects == original
    assert correction.status == Response.Status.DRAFT
    assert correction.time_point == original.time_point
    assert list(correction.answers.values_list("item__number", "value")) == [(n, 1) for n in range(1, 10)]
    response_answer(response=correction, item=item(measures, "phq-9", 2), value=3, by=participant)
    response_submit(response=correction, by=participant)
    assert Score.objects.get(response=correction).value == 11
    assert Score.objects.get(response=original).value == 9  # the original never changes
    assert Answer.objects.get(response=original, item__number=2).value == 1


def test_a_draft_cannot_be_corrected(measures, participant, cohort):
    draft = start(measures, participant, cohort)
    with pytest.raises(NotAllowed):
        response_correct(response=draft, by=participant)
    assert Response.objects.count() == 1


def test_a_response_is_corrected_once_then_the_correction_is(measures, participant, cohort):
    original = start(measures, participant, cohort)
    answer_all(original, [0] * 9, participant)
    response_submit(response=original, by=participant)
    correction = response_correct(response=original, by=participant)
    with pytest.raises(NotAllowed, match="already has a correction"):
        response_correct(response=original, by=participant)
    answer_all(correction, [1] * 9, participant)
    response_submit(response=correction, by=participant)
    second = response_correct(response=correction, by=participant)
    assert second.corrects == correction
    assert Response.objects.count() == 3


def test_nobody_corrects_someone_elses_response(measures, participant, cohort):
    original = start(measures, participant, cohort)
    answer_all(original, [0] * 9, participant)
    response_submit(response=original, by=participant)
    with pytest.raises(NotAllowed):
        response_correct(response=original, by=ParticipantFactory())
    assert Response.objects.count() == 1


# --- Risk alerts ----------------------------------------------------------------------------------


@pytest.fixture
def alert(measures, participant, cohort) -> RiskAlert:
    response = start(measures, participant, cohort)
    answer_all(response, [0, 0, 0, 0, 0, 0, 0, 0, 1], participant)
    response_submit(response=response, by=participant)
    return RiskAlert.objects.get()


def test_a_facilitator_of_the_cohort_acknowledges_with_a_note(alert, facilitator):
    done = risk_alert_acknowledge(
        alert=alert, note="Phoned her; she is safe and has the crisis numbers.", by=facilitator
    )
    assert done.acknowledged_by == facilitator
    assert done.acknowledged_at is not None


def test_acknowledging_needs_a_note(alert, facilitator):
    with pytest.raises(DomainError, match="note"):
        risk_alert_acknowledge(alert=alert, note="  ", by=facilitator)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_a_facilitator_of_another_cohort_cannot_acknowledge(alert):
    other = FacilitatorFactory()
    CohortFactory(facilitators=[other])
    with pytest.raises(NotAllowed):
        risk_alert_acknowledge(alert=alert, note="Called.", by=other)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_an_alert_is_acknowledged_once(alert, facilitator):
    risk_alert_acknowledge(alert=alert, note="Called.", by=facilitator)
    with pytest.raises(NotAllowed):
        risk_alert_acknowledge(alert=alert, note="Called again.", by=facilitator)
    alert.refresh_from_db()
    assert alert.action_note == "Called."


# --- What the database holds on its own -----------------------------------------------------------


def test_the_database_holds_one_original_response_per_time_point(measures, participant, cohort):
    start(measures, participant, cohort)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            measure=measures["phq-9"],
            participant=participant,
            cohort=cohort,
            time_point="baseline",
            started_at=cohort.created_at,
        )


def test_the_database_holds_one_answer_per_item(measures, participant, cohort):
    response = start(measures, participant, cohort)
    response_answer(response=response, item=item(measures, "phq-9", 1), value=1, by=participant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            response=response, item=item(measures, "phq-9", 1), value=2, answered_at=response.started_at
        )


def test_the_database_refuses_a_submitted_response_without_its_time(measures, participant, cohort):
    response = start(measures, participant, cohort)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.filter(pk=response.pk).update(status="submitted")


def test_the_database_refuses_a_second_alert_for_a_response(alert):
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskAlert.objects.create(response=alert.response, item=alert.item, created_at=alert.created_at)


def test_the_database_refuses_an_acknowledgement_without_a_note(alert, facilitator):
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskAlert.objects.filter(pk=alert.pk).update(acknowledged_at=alert.created_at, acknowledged_by=facilitator)


def test_the_database_refuses_a_second_correction_of_one_response(measures, participant, cohort):
    original = start(measures, participant, cohort)
    answer_all(original, [0] * 9, participant)
    response_submit(response=original, by=participant)
    response_correct(response=original, by=participant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            measure=original.measure,
            participant=participant,
            cohort=cohort,
            time_point="baseline",
            started_at=original.started_at,
            corrects=original,
        )
