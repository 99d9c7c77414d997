"""Reads for seeing change: a participant's own scores, a cohort's table and trends, the cohort
evaluation (the organisation report is in ``measures.organisation_report``).

Every function here runs a fixed number of queries, whatever the number of people or cohorts.
A person's score at a time point is their latest submitted response there (a correction
replaces the response it corrects).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.models import User
from measures import stats
from measures.charts import Series, line_chart
from measures.models import Response, Scale, ScheduledMeasure, Score
from measures.places import cohort_place_counts, cohorts_participant_ids
from measures.pseudonym import pseudonym
from measures.selectors import time_point_label, time_point_order
from sessions.models import Attendance, Cohort, GroupSession

ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.LEFT_EARLY)
COMPARISONS = ("mid", "end")
CHANGE_HEADER = [
    *("measure", "scale", "from", "to", "n_pairs", "baseline_n", "baseline_mean", "baseline_sd"),
    *("later_n", "later_mean", "later_sd", "mean_change", "ci95_low", "ci95_high", "dz"),
    *("improved", "same", "worsened"),
]

# scores[(cohort_id, participant_id, scale_id, time_point)] = value
ScoreMap = dict[tuple[int, int, int, str], float]


def _scores(*, cohort_ids: Iterable[int] | None = None, participant: User | None = None) -> ScoreMap:
    """Latest submitted score per cohort, person, scale and time point (one query)."""
    rows = Score.objects.filter(response__status=Response.Status.SUBMITTED, value__isnull=False)
    if cohort_ids is not None:
        rows = rows.filter(response__cohort_id__in=list(cohort_ids))
    if participant is not None:
        rows = rows.filter(response__participant=participant)
    result: ScoreMap = {}
    for cohort_id, participant_id, scale_id, tp, value in rows.order_by("response__submitted_at").values_list(
        "response__cohort_id", "response__participant_id", "scale_id", "response__time_point", "value"
    ):
        result[(cohort_id, participant_id, scale_id, tp)] = float(value)
    return result


def _scales(*, programme_ids: Iterable[int] | None = None, scale_ids: Iterable[int] | None = None) -> list[Scale]:
    """Scales of the measures the programmes schedule (or with the ids), in register order (one query)."""
    rows = Scale.objects.select_related("measure")
    if programme_ids is not None:
        measure_ids = ScheduledMeasure.objects.filter(programme_id__in=list(programme_ids)).values("measure_id")
        rows = rows.filter(measure_id__in=measure_ids)
    if scale_ids is not None:
        rows = rows.filter(pk__in=list(scale_ids))
    return list(rows.order_by("measure__code", "position"))


def _range(scale: Scale) -> tuple[float, float]:
    """The y range of a scale's chart, from its bands or its items' option range."""
    if scale.bands:
        return float(scale.bands[0]["min"]), float(scale.bands[-1]["max"])
    if scale.method == Scale.Method.MEAN:
        return 1.0, 5.0
    return 0.0, 0.0


def _direction(scale: Scale) -> str:
    return _("Higher scores are better.") if scale.higher_is_better else _("Lower scores are better.")


# --- A participant's own scores ---------------------------------------------------------------------


@dataclass
class ScaleHistory:
    scale: Scale
    cohort: Cohort
    points: list[tuple[str, float, str]]  # (time point label, value, band)
    sentence: str
    chart: str = ""


def participant_history(*, user: User) -> list[ScaleHistory]:
    """The participant's own scores over time, per cohort and scale, in plain language (three queries)."""
    rows = (
        Score.objects.filter(
            response__participant=user, response__status=Response.Status.SUBMITTED, value__isnull=False
        )
        .select_related("scale__measure", "response__cohort")
        .order_by("response__submitted_at")
    )
    latest: dict[tuple[int, int], dict[str, Score]] = defaultdict(dict)
    scales: dict[int, Scale] = {}
    cohorts: dict[int, Cohort] = {}
    for score in rows:
        latest[(score.response.cohort_id, score.scale_id)][score.response.time_point] = score
        scales[score.scale_id], cohorts[score.response.cohort_id] = score.scale, score.response.cohort
    histories = []
    for (cohort_id, scale_id), by_tp in latest.items():
        scale = scales[scale_id]
        ordered = sorted(by_tp.items(), key=lambda kv: time_point_order(kv[0]))
        points = [(time_point_label(tp), float(s.value), s.band) for tp, s in ordered]
        history = ScaleHistory(scale, cohorts[cohort_id], points, _sentence(scale, points))
        low, high = _range(scale)
        values = [v for _l, v, _b in points]
        history.chart = line_chart(
            title=_("Your %(scale)s scores") % {"scale": str(scale)},
            desc=history.sentence,
            x_labels=[label for label, _v, _b in points],
            series=[Series(str(scale), values)],
            y_min=min(low, *values),
            y_max=max(high, *values),
        )
        histories.append(history)
    histories.sort(key=lambda h: (h.cohort.start_date, h.scale.measure.code, h.scale.position))
    return histories


def _sentence(scale: Scale, points: list[tuple[str, float, str]]) -> str:
    first_label, first, first_band = points[0]
    if len(points) == 1:
        text = _("Your %(scale)s score at %(when)s was %(value)s") % {
            "scale": scale.name,
            "when": first_label.lower(),
            "value": f"{first:g}",
        }
        return f"{text}{' (' + first_band + ')' if first_band else ''}. {_direction(scale)}"
    last_label, last, _last_band = points[-1]
    if last == first:
        moved = _("stayed at %(value)s") % {"value": f"{last:g}"}
    else:
        moved = _("went from %(first)s at %(first_when)s to %(last)s at %(last_when)s") % {
            "first": f"{first:g}",
            "first_when": first_label.lower(),
            "last": f"{last:g}",
            "last_when": last_label.lower(),
        }
    better = (last > first) == scale.higher_is_better and last != first
    verdict = _("That is a change for the better.") if better else ("" if last == first else _("That is harder."))
    return f"{_('Your %(scale)s score') % {'scale': scale.name}} {moved}. {_direction(scale)} {verdict}".strip()


# --- A cohort's table and each participant's trend ----------------------------------------------------


@dataclass
class CohortTable:
    cohort: Cohort
    scales: list[Scale]
    time_points: list[str]
    rows: list[dict]  # {"participant": User, "scales": [{"scale", "values" per time point, "chart"}]}

    @property
    def time_point_labels(self) -> list[str]:
        return [time_point_label(tp) for tp in self.time_points]


def cohort_table(*, cohort: Cohort) -> CohortTable:
    """Each participant's scores per scale and time point, with a trend chart per scale (four queries)."""
    participant_ids = cohorts_participant_ids([cohort.pk])[cohort.pk]
    people = {u.pk: u for u in User.objects.filter(pk__in=participant_ids)}
    scores = _scores(cohort_ids=[cohort.pk])
    scales = _scales(programme_ids=[cohort.programme_id])
    time_points = sorted({tp for (_c, _p, _s, tp) in scores}, key=time_point_order)
    rows = []
    for pid in participant_ids:
        person = people[pid]
        cells = {(s.pk, tp): scores.get((cohort.pk, pid, s.pk, tp)) for s in scales for tp in time_points}
        charts = {}
        for scale in scales:
            values = [cells[(scale.pk, tp)] for tp in time_points]
            if any(v is not None for v in values):
                low, high = _range(scale)
                present = [v for v in values if v is not None]
                charts[scale.pk] = line_chart(
                    title=_("%(name)s: %(scale)s") % {"name": person.full_name, "scale": str(scale)},
                    desc=", ".join(
                        f"{time_point_label(tp)} {v:g}"
                        for tp, v in zip(time_points, values, strict=True)
                        if v is not None
                    )
                    + ". "
                    + _direction(scale),
                    x_labels=[time_point_label(tp) for tp in time_points],
                    series=[Series(str(scale), values)],
                    y_min=min(low, *present),
                    y_max=max(high, *present),
                )
        rows.append(
            {
                "participant": person,
                "scales": [
                    {"scale": s, "values": [cells[(s.pk, tp)] for tp in time_points], "chart": charts.get(s.pk, "")}
                    for s in scales
                ],
            }
        )
    return CohortTable(cohort, scales, time_points, rows)


# --- Evaluation --------------------------------------------------------------------------------------


@dataclass
class ScaleChange:
    scale: Scale
    to: str
    baseline: stats.Summary
    later: stats.Summary
    change: stats.PairedChange


def _changes(scales: list[Scale], scores: ScoreMap, people: Iterable[tuple[int, int]]) -> list[ScaleChange]:
    """Per scale and comparison (baseline to mid, baseline to end): summaries and paired change."""
    people = list(people)
    result = []
    for scale in scales:
        base = {
            (c, p): scores[(c, p, scale.pk, "baseline")] for c, p in people if (c, p, scale.pk, "baseline") in scores
        }
        for to in COMPARISONS:
            later = {(c, p): scores[(c, p, scale.pk, to)] for c, p in people if (c, p, scale.pk, to) in scores}
            if not later:
                continue
            pairs = [(base[k], later[k]) for k in base if k in later]
            result.append(
                ScaleChange(
                    scale,
                    to,
                    stats.summarise(list(base.values())),
                    stats.summarise(list(later.values())),
                    stats.paired_change(
                        pairs,
                        reliable_change=stats.to_float(scale.reliable_change),
                        higher_is_better=scale.higher_is_better,
                    ),
                )
            )
    return result


def _change_chart(changes: list[ScaleChange], title: str) -> str:
    """One chart per scale: the mean at baseline, mid and end (people with a baseline)."""
    by_scale: dict[int, dict[str, float]] = defaultdict(dict)
    scales = {}
    for c in changes:
        scales[c.scale.pk] = c.scale
        if c.baseline.mean is not None:
            by_scale[c.scale.pk]["baseline"] = c.baseline.mean
        if c.later.mean is not None:
            by_scale[c.scale.pk][c.to] = c.later.mean
    charts = []
    for scale_id, means in by_scale.items():
        scale = scales[scale_id]
        tps = sorted(means, key=time_point_order)
        low, high = _range(scale)
        desc = "; ".join(f"{time_point_label(tp)} mean {means[tp]:.1f}" for tp in tps) + ". " + _direction(scale)
        charts.append(
            {
                "scale": scale,
                "svg": line_chart(
                    title=f"{title}: {scale}",
                    desc=desc,
                    x_labels=[time_point_label(tp) for tp in tps],
                    series=[Series(str(scale), [means[tp] for tp in tps])],
                    y_min=min(low, *means.values()),
                    y_max=max(high, *means.values()),
                ),
            }
        )
    return charts


@dataclass
class Evaluation:
    cohort: Cohort
    participants: int
    places: dict[str, int]
    sessions: list[dict]
    completion: list[dict]
    changes: list[ScaleChange]
    charts: list[dict]


def cohort_evaluation(*, cohort: Cohort) -> Evaluation:
    """Attendance per session, completion, and per scale baseline, later means and paired change (seven queries)."""
    participant_ids = cohorts_participant_ids([cohort.pk])[cohort.pk]
    n = len(participant_ids)
    places = cohort_place_counts([cohort.pk])[cohort.pk]
    sessions = [
        {"session": s, "attended": s.attended, "rate": s.attended / n if n else None}
        for s in GroupSession.objects.filter(cohort=cohort)
        .annotate(attended=Count("attendance", filter=Q(attendance__status__in=ATTENDED)))
        .order_by("starts_at")
    ]
    scores = _scores(cohort_ids=[cohort.pk])
    scales = _scales(programme_ids=[cohort.programme_id])
    submitted = defaultdict(set)
    for _c, pid, _s, tp in scores:
        submitted[tp].add(pid)
    completion = [
        {
            "time_point": tp,
            "label": time_point_label(tp),
            "n": len(submitted[tp] & set(participant_ids)),
            "rate": len(submitted[tp] & set(participant_ids)) / n if n else None,
        }
        for tp in sorted(submitted, key=time_point_order)
    ]
    changes = _changes(scales, scores, [(cohort.pk, pid) for pid in participant_ids])
    return Evaluation(cohort, n, places, sessions, completion, changes, _change_chart(changes, cohort.name))


def evaluation_csv_rows(*, evaluation: Evaluation) -> list[list[object]]:
    """The evaluation's change table for export, every cell below 5 people suppressed."""
    rows: list[list[object]] = [CHANGE_HEADER]
    for c in evaluation.changes:
        rows.append(_change_cells(c))
    return rows


def _r(value: float | None, places: int = 2) -> object:
    return "" if value is None else round(value, places)


def _change_cells(c: ScaleChange) -> list[object]:
    ch, b, later = c.change, c.baseline, c.later
    return [
        c.scale.measure.short_name,
        c.scale.name,
        "baseline",
        c.to,
        stats.suppress(ch.n, ch.n),
        stats.suppress(b.n, b.n),
        stats.suppress(_r(b.mean), b.n),
        stats.suppress(_r(b.sd), b.n),
        stats.suppress(later.n, later.n),
        stats.suppress(_r(later.mean), later.n),
        stats.suppress(_r(later.sd), later.n),
        stats.suppress(_r(ch.mean_change), ch.n),
        stats.suppress(_r(ch.ci_low), ch.n),
        stats.suppress(_r(ch.ci_high), ch.n),
        stats.suppress(_r(ch.dz), ch.n),
        *(
            stats.suppress(count, count) if c.scale.reliable_change is not None else ""
            for count in (ch.improved, ch.same, ch.worsened)
        ),
    ]


def research_csv_rows(*, cohort: Cohort) -> list[list[object]]:
    """One row per person, time point and scale, with a pseudonymous id (three queries).

    Never a name or email. Withheld (one line saying so) when fewer than 5 people have scores.
    """
    participant_ids = set(cohorts_participant_ids([cohort.pk])[cohort.pk])
    scores = _scores(cohort_ids=[cohort.pk])
    scales = {s.pk: s for s in _scales(programme_ids=[cohort.programme_id])}
    header = ["participant", "study", "cohort", "measure", "version", "scale", "time_point", "score"]
    people = {pid for (_c, pid, _s, _tp) in scores if pid in participant_ids}
    if len(people) < stats.MIN_CELL:
        return [header, [stats.SUPPRESSED]]
    study = f"programme-{cohort.programme_id}"
    rows = [header]
    for (_c, pid, scale_id, tp), value in sorted(
        scores.items(), key=lambda kv: (kv[0][1], scales[kv[0][2]].measure.code, time_point_order(kv[0][3]))
    ):
        if pid not in participant_ids or scale_id not in scales:
            continue
        scale = scales[scale_id]
        rows.append(
            [
                pseudonym(pid, study=study),
                study,
                f"cohort-{cohort.pk}",
                scale.measure.code,
                scale.measure.version,
                scale.code,
                tp,
                f"{value:g}",
            ]
        )
    return rows
