"""Demo data: the shipped questionnaires, asked at baseline, mid-programme (week 6), end (week 12) and each booster;
and, once every app has seeded (``ctx.later``), the running group's baseline and mid-programme answers.

The running group (eight people, in its sixth week) gets varied, plausible answers to PHQ-9,
GAD-7 and the Self-Compassion Scale short form: everyone at baseline, seven of eight at
mid-programme (most better, one worse, one about the same), one mid-programme GAD-7
left as a draft, and one baseline risk answer that a facilitator has already acknowledged.
Idempotent: a group that already has responses is left alone.
"""

from __future__ import annotations

from core.demo import DemoContext
from measures.models import Item, Response, RiskAlert
from measures.selectors import measure_rules
from measures.services import (
    measure_schedule_add,
    measures_load_builtin,
    response_answer,
    response_start,
    response_submit,
    risk_alert_acknowledge,
)
from reminders.services.scheduling import reminders_cancel
from sessions.models import Enrolment

DEMO_MEASURES = ("phq-9", "gad-7", "scs-sf", "proqol-5")
ANSWERED = ("phq-9", "gad-7", "scs-sf")
# Wellbeing from 0 (struggling) to 1 (well), at baseline and mid-programme, per group member (None: not yet).
WELLBEING = [(0.45, 0.62), (0.35, 0.45), (0.55, 0.75), (0.5, 0.5), (0.4, 0.6), (0.65, 0.5), (0.3, 0.52), (0.5, None)]
JITTER = (0.0, 0.4, -0.4, 0.2, -0.2)


def seed(ctx: DemoContext) -> None:
    measures = {measure.code: measure for measure, _state in measures_load_builtin()}
    ctx.objects["measures"] = measures
    programme = ctx.objects.get("programme")
    if programme is None:
        return
    boosters = [f"booster-{n}" for n in range(1, len(programme.booster_offsets_weeks or []) + 1)]
    weeks = {"mid": min(6, programme.weekly_session_count), "end": programme.weekly_session_count}
    for code in DEMO_MEASURES:
        for time_point in ("baseline", "mid", "end", *boosters):
            measure_schedule_add(
                programme=programme, measure=measures[code], time_point=time_point, week=weeks.get(time_point)
            )
    ctx.later.append(seed_responses)


def _values(measure, wellbeing: float, person: int) -> dict[int, int]:
    """Answers that fit a level of wellbeing: worse symptoms answer high; reversed items the other way."""
    rules = measure_rules(measure=measure)
    higher_is_better = measure.scales.first().higher_is_better
    values = {}
    for number, item in rules.items.items():
        level = wellbeing if higher_is_better != item.reverse else 1 - wellbeing
        raw = item.min_value + (level + JITTER[(number + person) % len(JITTER)] / 2) * (item.max_value - item.min_value)
        values[number] = max(item.min_value, min(item.max_value, round(raw)))
    return values


def _answer(measure, person, cohort, time_point: str, values: dict[int, int], *, submit: bool = True) -> Response:
    response = response_start(measure=measure, participant=person, cohort=cohort, time_point=time_point, by=person)
    items = {item.number: item for item in Item.objects.filter(measure=measure)}
    for number, value in values.items():
        response_answer(response=response, item=items[number], value=value, by=person)
    return response_submit(response=response, by=person) if submit else response


def seed_responses(ctx: DemoContext) -> None:

    cohort, measures = ctx.objects.get("running_cohort"), ctx.objects["measures"]
    if cohort is None or Response.objects.filter(cohort=cohort).exists():
        return
    members = list(
        Enrolment.objects.filter(cohort=cohort, status__in=Enrolment.PLACE_STATUSES)
        .order_by("created_at")
        .select_related("participant")
    )
    for index, place in enumerate(members[: len(WELLBEING)]):
        person, (before, after) = place.participant, WELLBEING[index]
        for code in ANSWERED:
            values = _values(measures[code], before, index)
            later = _values(measures[code], after, index) if after is not None else None
            if code == "phq-9":
                # One risk answer, at baseline: the facilitators were told and acted.
                values[9], later = (1 if index == 1 else 0), ({**later, 9: 0} if later else None)
            _answer(measures[code], person, cohort, "baseline", values)
            if later is not None:
                draft = code == "gad-7" and index == 3
                _answer(measures[code], person, cohort, "mid", later, submit=not draft)
    facilitator = cohort.facilitators.order_by("pk").first()
    for alert in RiskAlert.objects.filter(response__cohort=cohort, acknowledged_at__isnull=True):
        reminders_cancel(subject=alert)
        risk_alert_acknowledge(
            alert=alert,
            note="Phoned the same afternoon; they are safe, have support at home and see their GP this week.",
            by=facilitator,
        )
    ctx.notes.append(
        f"Measures: {cohort.name} has baseline and mid-programme questionnaires; see /measures/cohorts/{cohort.pk}/"
        "evaluation/ and the organisation report (from the service lead's home)."
    )
