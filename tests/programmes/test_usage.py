"""Programmes count their uses through programmes.usage, which sessions registers (no reverse relation)."""

from __future__ import annotations

import pytest
from django.db.models import Value

from programmes.models import Programme
from programmes.selectors import programme_is_in_use, programme_list
from programmes.usage import ProgrammeUse, programme_use_register
from tests.factories import CohortFactory, programme_with_plans

pytestmark = pytest.mark.programmes


@pytest.mark.django_db
def test_each_version_counts_the_cohorts_that_run_it(facilitator) -> None:
    used, unused = programme_with_plans(), programme_with_plans()
    CohortFactory.create_batch(2, programme=used)
    counts = {p.pk: p.cohort_count for p in programme_list(user=facilitator)}
    assert counts[used.pk] == 2 and counts[unused.pk] == 0
    assert programme_is_in_use(programme=used) and not programme_is_in_use(programme=unused)


def test_a_use_name_is_taken_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        programme_use_register(ProgrammeUse(name="cohorts", count=lambda: Value(0)))


@pytest.mark.django_db
def test_the_list_stays_one_query(facilitator, django_assert_num_queries) -> None:
    CohortFactory.create_batch(3)
    expected = Programme.objects.count()
    with django_assert_num_queries(1):
        listed = list(programme_list(user=facilitator))
    assert len(listed) == expected and sum(p.cohort_count for p in listed) == 3
