"""Core's escalation-ladder mechanism: one registration point, each step recorded and acted on once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core import escalation
from core.escalation import Ladder, register
from core.models import EscalationStep
from core.services import escalation_ladder_walk, escalation_step_fire

pytestmark = [pytest.mark.safety, pytest.mark.foundation]
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def toy_ladder():
    """A ladder over plain numbers: subject 7 is due at both steps; subject 8 never is."""
    acted: list[tuple[int, str, int]] = []
    ladder = Ladder(
        code="toy",
        steps=("first", "second"),
        due=lambda now: [(7, "first"), (7, "second"), (8, "first")],
        claim=lambda subject_id, step, now: 0 if subject_id == 7 else None,
        act=lambda subject_id, step, cycle, now: acted.append((subject_id, step, cycle)),
    )
    register(ladder)
    yield acted
    escalation._LADDERS.pop("toy")


@pytest.mark.django_db
def test_each_step_is_acted_on_once_however_often_the_ladder_is_walked(toy_ladder) -> None:
    assert escalation_ladder_walk(ladder="toy", now=NOW) == 2
    assert escalation_ladder_walk(ladder="toy", now=NOW) == 0
    assert escalation_step_fire(ladder="toy", subject_id=7, step="first", now=NOW) is False
    assert toy_ladder == [(7, "first", 0), (7, "second", 0)]
    assert set(EscalationStep.objects.values_list("ladder", "subject_id", "step")) == {
        ("toy", 7, "first"),
        ("toy", 7, "second"),
    }


@pytest.mark.django_db
def test_a_step_the_ladder_does_not_have_is_an_error(toy_ladder) -> None:
    with pytest.raises(ValueError, match="no step"):
        escalation_step_fire(ladder="toy", subject_id=7, step="third", now=NOW)


def test_registering_a_code_twice_with_different_steps_is_refused(toy_ladder) -> None:
    with pytest.raises(ValueError, match="registered twice"):
        register(Ladder(code="toy", steps=("only",), due=list, claim=lambda *a: None, act=lambda *a: None))


def test_the_apps_ladders_are_registered_at_start_up() -> None:
    codes = {ladder.code for ladder in escalation.all_ladders()}
    assert {"protected_time", "help_request"} <= codes
    assert escalation.get("help_request").steps == ("facilitators", "service_lead")
