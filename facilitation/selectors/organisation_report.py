"""The organisation report: measures' place and change figures with protected-time figures beside them,
by cohort, team and directorate. Every cell based on fewer than 5 people reads "fewer than 5"
(``measures.stats.suppress``, the one rule).

Protected-time figures count people, not lines (one request per place):

- **Asked**: people whose request went to a manager (not a draft, not withdrawn).
- **Decided**: people whose request was approved, partly approved or declined.
- **Approval rate**: people whose time was approved in full, over people decided.
- **Working days to a decision**: from the day the request was sent to the day of the manager's
  last decision, counting Monday to Friday less the cohort region's bank holidays
  (``working_days_between``); median and mean over people decided.
- **Hours approved / declined**: the decided lines' hours, summed over people decided.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from facilitation.models import ProtectedTimeLine, ProtectedTimeRequest
from facilitation.selectors.protected_time import DECIDED
from facilitation.selectors.protected_time_tracking import working_days_between
from measures import stats
from measures.organisation_report import OrganisationReport, organisation_csv_rows, organisation_report

PT = ProtectedTimeRequest
Decision = ProtectedTimeLine.Decision

PROTECTED_TIME_HEADER_KEYS = ("asked", "approval", "days_median", "days_mean", "hours_approved", "hours_declined")


@dataclass(frozen=True)
class Asker:
    """One person's protected-time request, as the report needs it."""

    cohort_id: int
    team: str
    directorate: str
    status: str
    days: int | None
    approved_minutes: int
    declined_minutes: int


@dataclass
class ProtectedTimeFigures:
    by_cohort: list[dict]
    by_team: list[dict]
    by_directorate: list[dict]

    @property
    def sections(self) -> list[tuple[str, str, list[dict]]]:
        return [
            ("cohort", _("By group"), self.by_cohort),
            ("team", _("By team or ward"), self.by_team),
            ("directorate", _("By directorate"), self.by_directorate),
        ]


@dataclass
class FullOrganisationReport:
    measures: OrganisationReport
    protected_time: ProtectedTimeFigures


def protected_time_header() -> list[str]:
    return [
        _("People asking"),
        _("Approved in full"),
        _("Working days to a decision (median)"),
        _("Working days to a decision (mean)"),
        _("Hours approved"),
        _("Hours declined"),
    ]


def organisation_report_full(*, to: str = "") -> FullOrganisationReport:
    """Measures' report plus the protected-time figures for the same cohorts (two more queries)."""
    report = organisation_report(to=to)
    return FullOrganisationReport(measures=report, protected_time=protected_time_figures(report=report))


def protected_time_figures(*, report: OrganisationReport) -> ProtectedTimeFigures:
    """Protected-time figures for the report's cohorts, by cohort, team and directorate. Two queries."""
    cohorts = [row["cohort"] for row in report.cohorts]
    askers = _askers([c.pk for c in cohorts])
    by_cohort: dict[int, list[Asker]] = defaultdict(list)
    by_team: dict[str, list[Asker]] = defaultdict(list)
    by_directorate: dict[str, list[Asker]] = defaultdict(list)
    not_recorded = _("Not recorded")  # once, not twice a person
    for asker in askers:
        by_cohort[asker.cohort_id].append(asker)
        by_team[asker.team or not_recorded].append(asker)
        by_directorate[asker.directorate or not_recorded].append(asker)
    return ProtectedTimeFigures(
        by_cohort=[{"name": c.name, **figures(by_cohort[c.pk])} for c in cohorts],
        by_team=[{"name": name, **figures(by_team[name])} for name in sorted(by_team)],
        by_directorate=[{"name": name, **figures(by_directorate[name])} for name in sorted(by_directorate)],
    )


def figures(askers: list[Asker]) -> dict[str, object]:
    """One row of suppressed protected-time figures for a group of people."""
    decided = [a for a in askers if a.status in DECIDED]
    n = len(decided)
    days = [a.days for a in decided if a.days is not None]
    approved = sum(1 for a in decided if a.status == PT.Status.APPROVED)
    return {
        "asked": stats.suppress(len(askers), len(askers)),
        "approval": stats.suppress(f"{round(100 * approved / n)}%" if n else "", n),
        "days_median": stats.suppress(_one(statistics.median(days)) if days else "", n),
        "days_mean": stats.suppress(_one(statistics.fmean(days)) if days else "", n),
        "hours_approved": stats.suppress(_one(sum(a.approved_minutes for a in decided) / 60), n),
        "hours_declined": stats.suppress(_one(sum(a.declined_minutes for a in decided) / 60), n),
    }


def _one(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _askers(cohort_ids: list[int]) -> list[Asker]:
    """Everyone in these cohorts whose request went to a manager. Two queries."""
    requests = list(
        PT.objects.filter(enrolment__cohort_id__in=cohort_ids)
        .exclude(status__in=[PT.Status.DRAFT, PT.Status.WITHDRAWN])
        .values_list(
            "pk",
            "status",
            "submitted_at",
            "decided_at",
            "enrolment__cohort_id",
            "enrolment__cohort__holiday_region",
            "enrolment__cohort__time_zone",
            "enrolment__participant__team",
            "enrolment__participant__directorate",
        )
    )
    minutes: dict[tuple[int, str], int] = defaultdict(int)
    for request_id, decision, m in ProtectedTimeLine.objects.filter(
        request_id__in=[r[0] for r in requests], decision__in=[Decision.APPROVED, Decision.DECLINED]
    ).values_list("request_id", "decision", "minutes"):
        minutes[(request_id, decision)] += m
    askers = []
    for pk, status, sent, decided, cohort_id, region, tz, team, directorate in requests:
        days = None
        if status in DECIDED and sent and decided:
            days = working_days_between(start=sent, end=decided, region=region, time_zone=tz)
        askers.append(
            Asker(
                cohort_id=cohort_id,
                team=team,
                directorate=directorate,
                status=status,
                days=days,
                approved_minutes=minutes[(pk, Decision.APPROVED)],
                declined_minutes=minutes[(pk, Decision.DECLINED)],
            )
        )
    return askers


def organisation_report_csv_rows(*, report: FullOrganisationReport) -> list[list[object]]:
    """Measures' rows, a blank line, then the protected-time rows: every cell suppressed below 5 people."""
    rows = organisation_csv_rows(report=report.measures)
    rows.append([])
    rows.append(["protected_time_section", "name", *PROTECTED_TIME_HEADER_KEYS])
    for section, _title, groups in report.protected_time.sections:
        for g in groups:
            rows.append([section, g["name"], *(g[k] for k in PROTECTED_TIME_HEADER_KEYS)])
    return rows
