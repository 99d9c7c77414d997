import pytest

from tests.factories import cohort_with_sessions, enrol

pytestmark = pytest.mark.django_db


def test_cohort_with_sessions_has_one_session_per_weekly_plan_at_local_time() -> None:
    cohort = cohort_with_sessions()
    sessions = list(cohort.group_sessions.order_by("number"))
    assert [s.number for s in sessions] == list(range(1, 13))
    assert {s.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London")).hour for s in sessions} == {13}
    place = enrol(cohort)
    assert place.place_number == 1
    assert enrol(cohort).place_number == 2
