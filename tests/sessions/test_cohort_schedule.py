"""Creating a cohort plans its weekly sessions: local wall-clock time kept, blocked weeks moved, plans kept."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from core.errors import DomainError
from reminders.models import Reminder
from sessions.models import ClosureDate, GroupSession
from sessions.services.cohorts import cohort_create
from sessions.services.group_sessions import group_session_hold
from tests.factories import FacilitatorFactory, programme_with_plans

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]

LONDON = zoneinfo.ZoneInfo("Europe/London")
TORONTO = zoneinfo.ZoneInfo("America/Toronto")


def make_cohort(**overrides):
    facilitator = overrides.pop("by", None) or FacilitatorFactory()
    values = {
        "programme": overrides.pop("programme", None) or programme_with_plans(),
        "name": "Autumn group",
        "facilitators": [facilitator],
        "start_date": datetime.date(2026, 9, 22),
        "start_time": datetime.time(13, 0),
        "time_zone": "Europe/London",
        "holiday_region": "GB-ENG",
        "venue": "Wellbeing room",
        "by": facilitator,
    }
    values.update(overrides)
    return cohort_create(**values)


@time_machine.travel(datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_tuesday_london_cohort_keeps_1300_local_across_end_of_bst():
    cohort = make_cohort()
    sessions = list(cohort.group_sessions.filter(kind="weekly").order_by("number"))
    assert len(sessions) == 12
    assert all(s.local_date.weekday() == 1 for s in sessions)
    assert all(s.starts_at.astimezone(LONDON).time() == datetime.time(13, 0) for s in sessions)
    # The UTC instant shifts by an hour when British Summer Time ends on 25 October 2026.
    before = [s for s in sessions if s.local_date < datetime.date(2026, 10, 25)]
    after = [s for s in sessions if s.local_date > datetime.date(2026, 10, 25)]
    assert before and after
    assert {s.starts_at.astimezone(datetime.UTC).hour for s in before} == {12}
    assert {s.starts_at.astimezone(datetime.UTC).hour for s in after} == {13}
    assert all(s.ends_at - s.starts_at == datetime.timedelta(minutes=cohort.session_minutes) for s in sessions)


@time_machine.travel(datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_toronto_monday_cohort_moves_thanksgiving_and_keeps_all_twelve_plans():
    cohort = make_cohort(start_date=datetime.date(2026, 9, 14), time_zone="America/Toronto", holiday_region="CA-ON")
    sessions = list(cohort.group_sessions.filter(kind="weekly").select_related("session_plan").order_by("starts_at"))
    assert [s.session_plan.number for s in sessions] == list(range(1, 13))
    assert [s.number for s in sessions] == list(range(1, 13))
    assert datetime.date(2026, 10, 12) not in {s.local_date for s in sessions}
    week5 = sessions[4]
    assert week5.planned_date == datetime.date(2026, 10, 12)
    assert week5.local_date == datetime.date(2026, 10, 19)
    assert "Thanksgiving" in week5.moved_reason
    assert all(s.local_date.weekday() == 0 for s in sessions)
    assert sessions[-1].local_date == datetime.date(2026, 12, 7)
    assert all(s.starts_at.astimezone(TORONTO).time() == datetime.time(13, 0) for s in sessions)


@time_machine.travel(datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_service_closure_date_moves_that_week():
    ClosureDate.objects.create(date=datetime.date(2026, 10, 6), description="Service training day")
    cohort = make_cohort()
    week3 = cohort.group_sessions.get(number=3)
    assert week3.planned_date == datetime.date(2026, 10, 6)
    assert week3.local_date == datetime.date(2026, 10, 13)
    assert week3.moved_reason == "Service training day"


@time_machine.travel(datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"start_date": datetime.date(2026, 8, 1)}, "start_date", "past"),
        ({"capacity": 13}, "capacity", "at most 12"),
        ({"video_link": "http://meet.example/abc"}, "video_link", "https://"),
        ({"facilitators": []}, "facilitators", "one, two or three"),
    ],
)
def test_cohort_create_refuses_bad_input_and_writes_nothing(overrides, field, words):
    before = GroupSession.objects.count()
    with pytest.raises(DomainError) as refused:
        make_cohort(**overrides)
    assert refused.value.field == field
    assert words.lower() in refused.value.message.lower()
    assert GroupSession.objects.count() == before


def test_holding_a_future_session_is_refused():
    cohort = make_cohort(start_date=datetime.date.today() + datetime.timedelta(days=7))
    with pytest.raises(DomainError):
        group_session_hold(group_session=cohort.group_sessions.get(kind="weekly", number=1), by=cohort.created_by)
    assert not Reminder.objects.exists()
