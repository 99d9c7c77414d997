"""Statistics for evaluation reports: pure, typed, no database, no SciPy.

- **Mean, SD**: the sample standard deviation (n - 1).
- **Paired change**: for people with both a baseline and a later score, the mean of
  (later - baseline), its SD, and a 95% confidence interval ``mean ± t(0.975, n-1) · SD/√n``.
- **t quantile**: the exact two-sided 95% critical values for 1-30 degrees of
  freedom from the standard table; above 30, the Cornish-Fisher expansion of the
  t quantile about the normal quantile (Abramowitz and Stegun 26.7.5), accurate to
  three decimals there.
- **Effect size**: Cohen's d for paired change, *dz* = mean change / SD of change.
- **Reliable change**: a person improved or worsened when their change is at least the
  measure's published reliable-change threshold in the better or worse direction
  (direction aware: for PHQ-9 a lower score is better); otherwise they stayed the same.
- **Suppression**: any figure based on fewer than 5 people is shown as "fewer than 5"
  (``suppress``) in every view of more than one cohort and in every export.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

MIN_CELL = 5
SUPPRESSED = "fewer than 5"

# Two-sided 95% (upper 0.975) critical values of Student's t, df 1..30.
T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
Z_975 = 1.959963984540054


def t_quantile_975(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError("A t quantile needs at least one degree of freedom.")
    if df <= len(T_975):
        return T_975[df - 1]
    z = Z_975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def sd(values: Sequence[float]) -> float | None:
    """Sample standard deviation; None below two values."""
    if len(values) < 2:
        return None
    m = sum(values) / len(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float | None
    sd: float | None


def summarise(values: Sequence[float]) -> Summary:
    return Summary(n=len(values), mean=mean(values), sd=sd(values))


@dataclass(frozen=True)
class PairedChange:
    n: int
    mean_change: float | None
    sd_change: float | None
    ci_low: float | None
    ci_high: float | None
    dz: float | None
    improved: int
    same: int
    worsened: int


def paired_change(
    pairs: Sequence[tuple[float, float]], *, reliable_change: float | None, higher_is_better: bool
) -> PairedChange:
    """Change from the first to the second value of each pair, with its 95% CI, dz and reliable change."""
    changes = [after - before for before, after in pairs]
    n = len(changes)
    m, s = mean(changes), sd(changes)
    ci_low = ci_high = dz = None
    if m is not None and s is not None:
        half = t_quantile_975(n - 1) * s / math.sqrt(n)
        ci_low, ci_high = m - half, m + half
        dz = m / s if s > 0 else None
    improved = same = worsened = 0
    for change in changes:
        verdict = reliable_verdict(change, reliable_change=reliable_change, higher_is_better=higher_is_better)
        improved += verdict == "improved"
        worsened += verdict == "worsened"
        same += verdict == "same"
    return PairedChange(n, m, s, ci_low, ci_high, dz, improved, same, worsened)


def reliable_verdict(change: float, *, reliable_change: float | None, higher_is_better: bool) -> str | None:
    """'improved', 'worsened' or 'same' by the threshold; None when the measure has no threshold."""
    if reliable_change is None:
        return None
    better = change if higher_is_better else -change
    if better >= reliable_change:
        return "improved"
    if -better >= reliable_change:
        return "worsened"
    return "same"


def suppress(value: object, n: int) -> object:
    """The one suppression rule: a figure based on fewer than 5 people becomes "fewer than 5"."""
    return value if n >= MIN_CELL else SUPPRESSED


def to_float(value: Decimal | float | int | None) -> float | None:
    return None if value is None else float(value)
