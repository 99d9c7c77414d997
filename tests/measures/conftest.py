from __future__ import annotations

import pytest

from measures.models import Measure
from measures.services import measures_load_builtin
from tests.factories import CohortFactory


@pytest.fixture
def measures(db) -> dict[str, Measure]:
    """Every shipped measure, loaded from measures/data/, by code."""
    return {measure.code: measure for measure, _state in measures_load_builtin()}


@pytest.fixture
def cohort(db, facilitator):
    return CohortFactory(facilitators=[facilitator])
