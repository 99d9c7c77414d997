"""Reads for outcome measures: the register, a measure's scoring rules, a person's responses."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from measures.models import Item, Measure, OptionSet, Response, Scale
from measures.scoring import Band, ItemRule, MeasureRules, ScaleRule


def measures_register() -> QuerySet[Measure]:
    """Every loaded measure version, with its scales, for the register page (two queries)."""
    return Measure.objects.prefetch_related(Prefetch("scales", queryset=Scale.objects.order_by("position")))


def measure_with_items(*, measure_id: int) -> Measure:
    """A measure with its items and scales (with each scale's items); 404 when there is none."""
    measure = (
        Measure.objects.prefetch_related(
            Prefetch("items", queryset=Item.objects.order_by("number").select_related("option_set")),
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
