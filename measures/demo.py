"""Demo data: the shipped questionnaires, asked at baseline, mid-programme (week 6), end (week 12) and each booster."""

from __future__ import annotations

from core.demo import DemoContext
from measures.services import measure_schedule_add, measures_load_builtin

DEMO_MEASURES = ("phq-9", "gad-7", "scs-sf", "proqol-5")


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
