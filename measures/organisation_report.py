"""The organisation report: places, completion, withdrawal and pooled change across cohorts, by team and
directorate, with every cell based on fewer than 5 people suppressed (``stats.suppress``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.models import User
from measures import stats
from measures.models import Scale
from measures.places import cohort_place_counts, place_rows
from measures.reports import (
    CHANGE_HEADER,
    COMPARISONS,
    ScaleChange,
    ScoreMap,
    _change_cells,
    _change_chart,
    _changes,
    _r,
    _scales,
    _scores,
)
from sessions.models import Cohort, Enrolment


@dataclass
class OrganisationReport:
    cohorts: list[dict]
    by_team: list[dict]
    by_directorate: list[dict]
    pooled: list[list[object]]
    pooled_changes: list[ScaleChange]
    charts: list[dict]
    scales: list[Scale]
    to: str

    @property
    def grouped(self) -> list[tuple[str, list[dict]]]:
        return [(_("By team or ward"), self.by_team), (_("By directorate"), self.by_directorate)]

    @property
    def pooled_header(self) -> list[str]:
        return CHANGE_HEADER


def organisation_report(*, to: str = "") -> OrganisationReport:
    """Across cohorts and by team and directorate: places, completion, withdrawal and pooled change.

    Every cell based on fewer than 5 people reads "fewer than 5" (``stats.suppress``).
    Seven queries whatever the number of cohorts. ``to`` is the comparison time point
    (mid or end; by default end when anyone has an end score, else mid).
    """
    cohorts = list(
        Cohort.objects.exclude(status__in=[Cohort.Status.CANCELLED, Cohort.Status.PLANNING])
        .select_related("programme")
        .order_by("start_date", "pk")
    )
    ids = [c.pk for c in cohorts]
    counts = cohort_place_counts(ids)
    places = place_rows(ids)
    people = {
        u["pk"]: u for u in User.objects.filter(pk__in={p for _c, p, _s in places}).values("pk", "team", "directorate")
    }
    scores = _scores(cohort_ids=ids)
    scales = _scales(scale_ids={s for (_c, _p, s, _tp) in scores})
    if to not in COMPARISONS:
        to = "end" if any(tp == "end" for (_c, _p, _s, tp) in scores) else "mid"
    held = [(c, p) for c, p, status in places if status != Enrolment.Status.WITHDRAWN]
    pooled_changes = _changes(scales, scores, held)
    cohort_rows = []
    for cohort in cohorts:
        k = counts[cohort.pk]
        cohort_rows.append(
            {
                "cohort": cohort,
                "offered": k["offered"],
                "filled": stats.suppress(k["filled"], k["filled"]),
                "completion": stats.suppress(_rate(k["completed"], k["filled"]), k["filled"]),
                "withdrawal": stats.suppress(_rate(k["withdrawn"], k["filled"]), k["filled"]),
            }
        )
    return OrganisationReport(
        cohorts=cohort_rows,
        by_team=_grouped(places, people, scores, scales, key="team", to=to),
        by_directorate=_grouped(places, people, scores, scales, key="directorate", to=to),
        pooled=[_change_cells(c) for c in pooled_changes],
        pooled_changes=pooled_changes,
        charts=_suppressed_charts(pooled_changes),
        scales=scales,
        to=to,
    )


def _rate(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else ""


def _grouped(places, people, scores: ScoreMap, scales: list[Scale], *, key: str, to: str) -> list[dict]:
    groups: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    not_recorded = _("Not recorded")  # once, not once a place
    for cohort_id, pid, status in places:
        groups[people[pid][key] or not_recorded].append((cohort_id, pid, status))
    rows = []
    for name in sorted(groups):
        members = groups[name]
        filled = len(members)
        completed = sum(1 for _c, _p, s in members if s == Enrolment.Status.COMPLETED)
        withdrawn = sum(1 for _c, _p, s in members if s == Enrolment.Status.WITHDRAWN)
        changes = {
            c.scale.pk: stats.suppress(_r(c.change.mean_change, 1), c.change.n)
            for c in _changes(scales, scores, [(c, p) for c, p, s in members if s != Enrolment.Status.WITHDRAWN])
            if c.to == to
        }
        rows.append(
            {
                "name": name,
                "filled": stats.suppress(filled, filled),
                "completion": stats.suppress(_rate(completed, filled), filled),
                "withdrawal": stats.suppress(_rate(withdrawn, filled), filled),
                "changes": [changes.get(s.pk, stats.SUPPRESSED) for s in scales],
            }
        )
    return rows


def _suppressed_charts(changes: list[ScaleChange]) -> list[dict]:
    """Charts of pooled means, leaving out any mean based on fewer than 5 people."""
    kept = [c for c in changes if c.baseline.n >= stats.MIN_CELL and c.later.n >= stats.MIN_CELL]
    return _change_chart(kept, _("All groups"))


def organisation_csv_rows(*, report: OrganisationReport) -> list[list[object]]:
    rows: list[list[object]] = [["section", "name", "places_offered", "places_filled", "completion", "withdrawal"]]
    for r in report.cohorts:
        rows.append(["cohort", r["cohort"].name, r["offered"], r["filled"], r["completion"], r["withdrawal"]])
    for section, groups in (("team", report.by_team), ("directorate", report.by_directorate)):
        for g in groups:
            rows.append([section, g["name"], "", g["filled"], g["completion"], g["withdrawal"]])
    rows.append([])
    rows.extend(_pooled_rows(report))
    return rows


def _pooled_rows(report: OrganisationReport) -> list[list[object]]:
    return [CHANGE_HEADER, *report.pooled]
