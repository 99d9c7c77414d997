"""Reads for outcome measures: the register, scoring rules, what is due, a person's responses, risk alerts.

Reports (results, evaluation, the organisation) are in ``measures.reports``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from measures.models import Item, Measure, OptionSet, Response, ResponseOption, RiskAlert, Scale, ScheduledMeasure
from measures.places import cohorts_participant_ids, participant_cohort_ids
from measures.scoring import Band, ItemRule, MeasureRules, ScaleRule
from sessions.models import Cohort, GroupSession

# The page-cache scope (core.page_cache) of every measure's definition and wording: bumped when one is
# loaded or its wording imported, read by pages that list questionnaires.
MEASURE_DEFINITIONS_SCOPE = "measure-definitions"


def measures_register() -> QuerySet[Measure]:
    """Every loaded measure version, with its scales, for the register page (two queries)."""
    return Measure.objects.prefetch_related(Prefetch("scales", queryset=Scale.objects.order_by("position")))


def measure_with_items(*, measure_id: int) -> Measure:
    """A measure with its items and scales (with each scale's items); 404 when there is none."""
    measure = (
        Measure.objects.prefetch_related(
            Prefetch(
                "items",
                queryset=Item.objects.order_by("number")
                .select_related("option_set")
                .prefetch_related(Prefetch("option_set__options", queryset=ResponseOption.objects.order_by("value"))),
            ),
            Prefetch("scales", queryset=Scale.objects.order_by("position").prefetch_related("items")),
        )
        .filter(pk=measure_id)
        .first()
    )
    if measure is None:
        raise Http404
    return measure


def measure_rules(*, measure: Measure) -> MeasureRules:
    """Build the pure scoring rules of a measure from the database (three queries)."""
    option_values: dict[int, list[int]] = {}
    for option_set_id, value in OptionSet.objects.filter(measure=measure).values_list("pk", "options__value"):
        option_values.setdefault(option_set_id, []).append(value)
    items = {
        item.number: ItemRule(
            number=item.number,
            min_value=min(option_values[item.option_set_id]),
            max_value=max(option_values[item.option_set_id]),
            reverse=item.reverse_scored,
            risk_min=item.risk_min_value,
            allowed=frozenset(option_values[item.option_set_id]),
        )
        for item in Item.objects.filter(measure=measure)
    }
    scales = tuple(
        ScaleRule(
            code=scale.code,
            items=tuple(sorted(i.number for i in scale.items.all())),
            method=scale.method,  # type: ignore[arg-type]
            max_missing=scale.max_missing,
            decimals=scale.decimals,
            bands=tuple(Band(min=_d(b["min"]), max=_d(b["max"]), label=b["label"]) for b in scale.bands),
            conversion={int(k): _d(v) for k, v in scale.conversion.items()} if scale.conversion else None,
        )
        for scale in Scale.objects.filter(measure=measure).order_by("position").prefetch_related("items")
    )
    return MeasureRules(code=measure.code, items=items, scales=scales)


def _d(value: object) -> Decimal:
    return Decimal(str(value))


def response_for_participant(*, user: User, response_id: int) -> Response:
    """The participant's own response; 404 for anyone else's (or none)."""
    response = Response.objects.select_related("measure", "cohort").filter(pk=response_id, participant=user).first()
    if response is None:
        raise Http404
    return response


def responses_of_participant(*, user: User) -> QuerySet[Response]:
    return Response.objects.filter(participant=user).select_related("measure", "cohort").prefetch_related("scores")


# --- What is due -----------------------------------------------------------------------------------

DUE_WINDOW = timedelta(days=28)


def time_point_order(time_point: str) -> tuple[int, int]:
    """Sort key: baseline, mid, end, booster-1, booster-2, ..."""
    if time_point.startswith("booster-"):
        return (3, int(time_point.split("-")[1]))
    return ({"baseline": 0, "mid": 1, "end": 2}.get(time_point, 9), 0)


def time_point_label(time_point: str) -> str:
    if time_point.startswith("booster-"):
        return _("Booster %(n)s") % {"n": time_point.split("-")[1]}
    return {"baseline": _("Start"), "mid": _("Mid-programme"), "end": _("End")}.get(time_point, time_point)


@dataclass(frozen=True)
class DueQuestionnaire:
    cohort: Cohort
    scheduled: ScheduledMeasure
    opens_at: datetime | None
    closes_at: datetime | None
    draft_id: int | None

    @property
    def measure(self) -> Measure:
        return self.scheduled.measure

    @property
    def time_point(self) -> str:
        return self.scheduled.time_point

    @property
    def time_point_label(self) -> str:
        return time_point_label(self.scheduled.time_point)

    @property
    def is_draft(self) -> bool:
        return self.draft_id is not None

    @property
    def url(self) -> str:
        if self.draft_id is not None:
            return reverse("measures:response_answer", args=[self.draft_id])
        return reverse("measures:response_begin", args=[self.cohort.pk, self.scheduled.pk])


def _session_starts(*, cohort_ids: list[int]) -> dict[int, dict[tuple[str, int], datetime]]:
    """Each cohort's session start times, keyed by (kind, number): what the questionnaire windows count from."""
    starts: dict[int, dict[tuple[str, int], datetime]] = {pk: {} for pk in cohort_ids}
    for cohort_id, kind, number, starts_at in GroupSession.objects.filter(cohort_id__in=cohort_ids).values_list(
        "cohort_id", "kind", "number", "starts_at"
    ):
        starts[cohort_id][(kind, number)] = starts_at
    return starts


def _window(scheduled: ScheduledMeasure, starts: dict[tuple[str, int], datetime]) -> tuple[datetime | None, ...]:
    """When a time point opens and closes; (None, None) when its session is not scheduled."""
    tp = scheduled.time_point
    if tp == "baseline":
        return (None, starts.get(("weekly", 1)))
    if tp in ("mid", "end"):
        opens = starts.get(("weekly", scheduled.week or 0))
    else:
        opens = starts.get(("booster", int(tp.split("-")[1])))
    return (opens, opens + DUE_WINDOW) if opens else (None, None)


def responses_due_for(
    user: User, *, now: datetime | None = None, cohorts: list[Cohort] | None = None
) -> list[DueQuestionnaire]:
    """Questionnaires the participant may answer now, per cohort and time point, drafts first (five queries;
    three given ``cohorts``: those of the places that count, with ``programme``, when the caller has them).

    Baseline is due from joining until week 1 starts; mid and end from their weekly
    session (weeks 6 and 12 by default), each booster from that booster session, each for
    28 days. A draft stays listed until it is submitted, even after its window.
    """
    now = now or timezone.now()
    if cohorts is None:
        cohort_ids = participant_cohort_ids(user)
        if not cohort_ids:
            return []
        cohorts = list(Cohort.objects.filter(pk__in=cohort_ids).select_related("programme"))
    if not cohorts:
        return []
    # In the model's order (latest start first, then name), as the query gives them.
    cohorts = {c.pk: c for c in sorted(cohorts, key=lambda c: (-c.start_date.toordinal(), c.name))}
    starts = _session_starts(cohort_ids=list(cohorts))
    schedules: dict[int, list[ScheduledMeasure]] = {}
    for scheduled in ScheduledMeasure.objects.filter(
        programme_id__in={c.programme_id for c in cohorts.values()}
    ).select_related("measure"):
        schedules.setdefault(scheduled.programme_id, []).append(scheduled)
    answered: dict[tuple[int, int, str], tuple[int, str]] = {
        (cohort_id, measure_id, tp): (pk, status)
        for pk, cohort_id, measure_id, tp, status in Response.objects.filter(
            participant=user, cohort_id__in=cohorts, corrects__isnull=True
        ).values_list("pk", "cohort_id", "measure_id", "time_point", "status")
    }
    due = []
    for cohort in cohorts.values():
        for scheduled in schedules.get(cohort.programme_id, []):
            if not scheduled.measure.has_wording:
                continue
            pk, status = answered.get((cohort.pk, scheduled.measure_id, scheduled.time_point), (None, None))
            if status == Response.Status.SUBMITTED:
                continue
            opens, closes = _window(scheduled, starts[cohort.pk])
            is_open = (opens is None or opens <= now) and closes is not None and now < closes
            if pk is not None or is_open:
                due.append(DueQuestionnaire(cohort, scheduled, opens, closes, pk))
    due.sort(key=lambda d: (not d.is_draft, d.cohort.start_date, time_point_order(d.time_point), d.scheduled.position))
    return due


def due_questionnaire(*, user: User, cohort_id: int, scheduled_id: int) -> DueQuestionnaire:
    """One questionnaire the participant may start now; 404 when it is not theirs or not due."""
    for due in responses_due_for(user):
        if due.cohort.pk == cohort_id and due.scheduled.pk == scheduled_id:
            return due
    raise Http404


def response_to_answer(*, user: User, response_id: int) -> Response:
    """The participant's own response with its measure's items, options and answers; 404 otherwise."""
    response = (
        Response.objects.select_related("measure", "cohort")
        .prefetch_related(
            Prefetch(
                "measure__items",
                queryset=Item.objects.order_by("number").prefetch_related(
                    Prefetch("option_set__options", queryset=ResponseOption.objects.order_by("value"))
                ),
            ),
            "answers",
        )
        .filter(pk=response_id, participant=user)
        .first()
    )
    if response is None or response.cohort_id not in participant_cohort_ids(user):
        raise Http404
    return response


# --- Risk alerts -----------------------------------------------------------------------------------


def risk_alerts_open_for(user: User) -> QuerySet[RiskAlert]:
    """Unacknowledged alerts in the cohorts ``user`` facilitates, oldest first (one query)."""
    return (
        RiskAlert.objects.filter(acknowledged_at__isnull=True, response__cohort__facilitators=user)
        .select_related("response__participant", "response__cohort", "response__measure", "item")
        .order_by("created_at")
    )


def risk_alerts_unacknowledged_since(when: datetime) -> QuerySet[RiskAlert]:
    """Alerts raised at or before ``when`` and still unacknowledged: for the escalation ladder."""
    return RiskAlert.objects.filter(acknowledged_at__isnull=True, created_at__lte=when).select_related(
        "response__cohort"
    )


def risk_alert_for_facilitator(*, user: User, alert_id: int) -> RiskAlert:
    """An alert in a cohort ``user`` facilitates; 404 for anyone else."""
    alert = (
        RiskAlert.objects.filter(pk=alert_id, response__cohort__facilitators=user)
        .select_related("response__participant", "response__cohort", "response__measure", "item", "acknowledged_by")
        .first()
    )
    if alert is None:
        raise Http404
    return alert


# --- Access to a cohort's results ------------------------------------------------------------------


def cohort_for_results(*, user: User, cohort_id: int, service_lead_too: bool = True) -> Cohort:
    """A cohort whose results ``user`` may see: its facilitators (and service leads); 404 for anyone else."""
    cohort = Cohort.objects.select_related("programme").filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404
    if service_lead_too and user.is_service_lead:
        return cohort
    if user.is_facilitator and cohort.facilitators.filter(pk=user.pk).exists():
        return cohort
    raise Http404


def questionnaire_reminders_due(*, now: datetime | None = None) -> list[tuple[Cohort, int, str]]:
    """(cohort, participant id, time point) for every time point open now with a measure the person has not sent.

    Across every recruiting or running cohort, in five queries; the reminder service
    writes at most one reminder per person, cohort and time point.
    """
    now = now or timezone.now()
    cohorts = {
        c.pk: c
        for c in Cohort.objects.filter(status__in=[Cohort.Status.RECRUITING, Cohort.Status.RUNNING]).select_related(
            "programme"
        )
    }
    if not cohorts:
        return []
    starts = _session_starts(cohort_ids=list(cohorts))
    schedules: dict[int, list[ScheduledMeasure]] = {}
    for scheduled in ScheduledMeasure.objects.filter(
        programme_id__in={c.programme_id for c in cohorts.values()}
    ).select_related("measure"):
        if scheduled.measure.has_wording:
            schedules.setdefault(scheduled.programme_id, []).append(scheduled)
    sent = set(
        Response.objects.filter(cohort_id__in=cohorts, status=Response.Status.SUBMITTED).values_list(
            "cohort_id", "participant_id", "measure_id", "time_point"
        )
    )
    due: dict[tuple[int, int, str], None] = {}
    for cohort_id, participant_ids in cohorts_participant_ids(cohorts).items():
        cohort = cohorts[cohort_id]
        for scheduled in schedules.get(cohort.programme_id, []):
            opens, closes = _window(scheduled, starts[cohort_id])
            if closes is None or not (opens is None or opens <= now) or now >= closes:
                continue
            for pid in participant_ids:
                if (cohort_id, pid, scheduled.measure_id, scheduled.time_point) not in sent:
                    due[(cohort_id, pid, scheduled.time_point)] = None
    return [(cohorts[c], p, tp) for c, p, tp in due]
