"""Score a response from its answers and its measure's rules: pure, typed, no database.

How each rule works:

- **Reverse scoring** uses the item's own option range: a reversed answer is
  ``min + max - value`` (on a 1-5 scale 1 becomes 5; on 0-4, 0 becomes 4).
- **Sum or mean** over the scale's items, after reversing.
- **Missing items**: a scale with more than ``max_missing`` unanswered items gets
  no score. With fewer, a sum is prorated (the answered items' sum times
  items / answered) and a mean is the mean of the answered items. Every shipped
  measure uses ``max_missing = 0`` unless its published scoring says otherwise.
- **Rounding** is half up to the scale's ``decimals``, after prorating.
- **Conversion**: where a table is given (SWEMWBS), the raw score (a whole number)
  is looked up and the converted value is the score; the raw score is kept too.
- **Bands**: the first band with ``min <= score <= max`` names the score.
- **Risk**: an item with ``risk_min`` flags the response when its answer is at
  least that value (PHQ-9 item 9: any answer above 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Method = Literal["sum", "mean"]


@dataclass(frozen=True)
class ItemRule:
    number: int
    min_value: int
    max_value: int
    reverse: bool = False
    risk_min: int | None = None
    allowed: frozenset[int] = field(default_factory=frozenset)

    def allows(self, value: int) -> bool:
        if self.allowed:
            return value in self.allowed
        return self.min_value <= value <= self.max_value

    def scored(self, value: int) -> int:
        """Return the value that counts towards the score (reversed when the item is reverse-scored)."""
        return self.min_value + self.max_value - value if self.reverse else value


@dataclass(frozen=True)
class Band:
    min: Decimal
    max: Decimal
    label: str


@dataclass(frozen=True)
class ScaleRule:
    code: str
    items: tuple[int, ...]
    method: Method = "sum"
    max_missing: int = 0
    decimals: int = 0
    bands: tuple[Band, ...] = ()
    conversion: Mapping[int, Decimal] | None = None


@dataclass(frozen=True)
class MeasureRules:
    code: str
    items: Mapping[int, ItemRule]
    scales: tuple[ScaleRule, ...]


@dataclass(frozen=True)
class ScaleScore:
    code: str
    value: Decimal | None
    raw: Decimal | None
    band: str
    answered: int
    prorated: bool


@dataclass(frozen=True)
class Result:
    scores: tuple[ScaleScore, ...]
    risk_items: tuple[int, ...]

    def score(self, code: str) -> ScaleScore:
        return next(s for s in self.scores if s.code == code)


class InvalidAnswer(ValueError):
    """An answer names an item the measure does not have, or a value the item does not offer."""


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def band_for(value: Decimal, bands: Sequence[Band]) -> str:
    """Return the label of the first band holding ``value``, or "" when none does."""
    return next((b.label for b in bands if b.min <= value <= b.max), "")


def score_scale(rule: ScaleRule, items: Mapping[int, ItemRule], answers: Mapping[int, int]) -> ScaleScore:
    """Score one scale; ``value`` is None when more items are missing than the scale allows."""
    given = [items[n].scored(answers[n]) for n in rule.items if n in answers]
    answered = len(given)
    missing = len(rule.items) - answered
    if answered == 0 or missing > rule.max_missing:
        return ScaleScore(rule.code, None, None, "", answered, False)
    total = Decimal(sum(given))
    # A mean of the answered items; a sum prorated to every item of the scale (unchanged when none is missing).
    raw = _round(total / answered if rule.method == "mean" else total * len(rule.items) / answered, rule.decimals)
    value = raw
    if rule.conversion is not None:
        if raw != raw.to_integral_value() or int(raw) not in rule.conversion:
            return ScaleScore(rule.code, None, raw, "", answered, missing > 0)
        value = rule.conversion[int(raw)]
    return ScaleScore(rule.code, value, raw, band_for(value, rule.bands), answered, missing > 0)


def score_response(rules: MeasureRules, answers: Mapping[int, int]) -> Result:
    """Score every scale of the measure and list the items whose answers flag risk."""
    for number, value in answers.items():
        item = rules.items.get(number)
        if item is None:
            raise InvalidAnswer(f"{rules.code} has no item {number}.")
        if not item.allows(value):
            raise InvalidAnswer(f"{rules.code} item {number} does not offer {value}.")
    scores = tuple(score_scale(scale, rules.items, answers) for scale in rules.scales)
    risk = tuple(
        sorted(n for n, v in answers.items() if rules.items[n].risk_min is not None and v >= rules.items[n].risk_min)
    )
    return Result(scores=scores, risk_items=risk)
