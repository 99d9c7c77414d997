"""Builders for measures tests: a scheduled programme, a running cohort with places, and scored responses."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from measures.models import Response, Scale, Score
from measures.services import measure_schedule_add
from tests.factories import ParticipantFactory, cohort_with_sessions, enrol


def schedule(programme, measures, codes=("phq-9", "gad-7")) -> None:
    for code in codes:
        for time_point, week in (("baseline", None), ("mid", 6), ("end", 12), ("booster-1", None)):
            measure_schedule_add(programme=programme, measure=measures[code], time_point=time_point, week=week)


def scheduled_cohort(measures, *, facilitators, participants: int = 0, codes=("phq-9", "gad-7"), **kwargs):
    """A cohort with its twelve weekly sessions, the measures scheduled and ``participants`` new places."""
    cohort = cohort_with_sessions(facilitators=facilitators, **kwargs)
    schedule(cohort.programme, measures, codes)
    people = [enrol(cohort).participant for _ in range(participants)]
    return cohort, people


def scored(participant, cohort, measure, time_point: str, totals: dict[str, float]) -> Response:
    """A submitted response holding the given scale scores, written directly (no answers): for report tests."""
    now = timezone.now()
    response = Response.objects.create(
        measure=measure,
        participant=participant,
        cohort=cohort,
        time_point=time_point,
        status=Response.Status.SUBMITTED,
        started_at=now,
        submitted_at=now,
    )
    scales = {s.code: s for s in Scale.objects.filter(measure=measure)}
    Score.objects.bulk_create(
        Score(response=response, scale=scales[code], value=Decimal(str(v)), raw_value=Decimal(str(v)), answered=1)
        for code, v in totals.items()
    )
    return response


def new_participant():
    return ParticipantFactory()
