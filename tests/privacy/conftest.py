"""One small world for the privacy tests: a cohort with two people in it, a check-in, a calendar address."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import UTC

import pytest
import time_machine

from sessions.services import checkins as session_services
from tests.factories import ServiceLeadFactory
from tests.sessions.factories_checkins import cohort_with_people, weekly_window

NOW = datetime.datetime(2026, 6, 1, 7, tzinfo=UTC)  # Monday 08:00 in London
SLOT = datetime.datetime(2026, 6, 8, 8, tzinfo=UTC)  # Monday 8 June, 09:00 in London


@dataclass
class World:
    cohort: object
    facilitator: object
    participant: object
    other_participant: object
    manager: object
    lead: object
    enrolment: object
    group_session: object
    checkin: object


@pytest.fixture
def world(db) -> World:
    with time_machine.travel(NOW, tick=False):
        cohort, facilitator, (amara, ben) = cohort_with_people(participants=2, start_date=datetime.date(2026, 6, 15))
        weekly_window(facilitator, weekday=0, start="09:00", end="11:00", minutes=30)
        checkin = session_services.checkin_book(
            actor=amara, participant=amara, facilitator=facilitator, cohort=cohort, kind="pre_group", starts_at=SLOT
        )
    return World(
        cohort=cohort,
        facilitator=facilitator,
        participant=amara,
        other_participant=ben,
        manager=amara.line_manager,
        lead=ServiceLeadFactory(),
        enrolment=cohort.enrolments.get(participant=amara),
        group_session=cohort.group_sessions.order_by("starts_at").first(),
        checkin=checkin,
    )
