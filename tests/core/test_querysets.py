"""rows_with_related_if_any: one query when a panel is empty, two with the related rows when it is not."""

from __future__ import annotations

import pytest

from core.querysets import rows_with_related_if_any
from sessions.models import Enrolment
from tests.factories import cohort_with_sessions, enrol

pytestmark = [pytest.mark.django_db]


def test_one_query_when_empty_two_with_related_rows_when_not(django_assert_num_queries) -> None:
    cohort = cohort_with_sessions()
    places = Enrolment.objects.filter(cohort=cohort).select_related("participant", "cohort__programme").order_by("pk")
    with django_assert_num_queries(1):
        assert rows_with_related_if_any(places) == []
    first, second = enrol(cohort), enrol(cohort)
    with django_assert_num_queries(2):
        rows = rows_with_related_if_any(places)
        assert [r.pk for r in rows] == [first.pk, second.pk]  # in the queryset's order
        assert rows[0].participant.email and rows[1].cohort.programme.name  # joined: no more queries
