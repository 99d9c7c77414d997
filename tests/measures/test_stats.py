"""Evaluation statistics against known values: t quantiles, paired change, dz, reliable change, suppression."""

from __future__ import annotations

import math

import pytest

from measures import stats

pytestmark = pytest.mark.measures


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706), (2, 4.303), (5, 2.571), (10, 2.228), (29, 2.045), (30, 2.042), (31, 2.040), (40, 2.021),
     (60, 2.000), (120, 1.980), (1000, 1.962), (100000, 1.960)],
)  # fmt: skip
def test_t_quantile_matches_published_tables(df, expected):
    assert stats.t_quantile_975(df) == pytest.approx(expected, abs=0.0015)


def test_t_quantile_refuses_no_degrees_of_freedom():
    with pytest.raises(ValueError):
        stats.t_quantile_975(0)


def test_sample_sd_uses_n_minus_one():
    assert stats.sd([2, 4, 4, 4, 5, 5, 7, 9]) == pytest.approx(2.13809, abs=1e-5)
    assert stats.sd([3]) is None


def test_paired_change_worked_example_lower_is_better():
    # PHQ-9 baseline and end for 6 people; change = end - baseline: -6, -4, -8, 0, +7, -3.
    pairs = [(15, 9), (12, 8), (20, 12), (10, 10), (8, 15), (14, 11)]
    result = stats.paired_change(pairs, reliable_change=6, higher_is_better=False)
    changes = [-6, -4, -8, 0, 7, -3]
    m = sum(changes) / 6
    s = math.sqrt(sum((c - m) ** 2 for c in changes) / 5)
    assert result.n == 6
    assert result.mean_change == pytest.approx(-2.3333, abs=1e-4)
    assert result.sd_change == pytest.approx(s)
    half = 2.571 * s / math.sqrt(6)
    assert (result.ci_low, result.ci_high) == (pytest.approx(m - half), pytest.approx(m + half))
    assert result.dz == pytest.approx(m / s)
    # Reliable change 6, lower is better: -6 and -8 improved, +7 worsened, the rest the same.
    assert (result.improved, result.same, result.worsened) == (2, 3, 1)


def test_reliable_change_is_direction_aware():
    assert stats.reliable_verdict(5, reliable_change=4, higher_is_better=True) == "improved"
    assert stats.reliable_verdict(5, reliable_change=4, higher_is_better=False) == "worsened"
    assert stats.reliable_verdict(-3.9, reliable_change=4, higher_is_better=False) == "same"
    assert stats.reliable_verdict(-4, reliable_change=4, higher_is_better=False) == "improved"
    assert stats.reliable_verdict(-4, reliable_change=None, higher_is_better=False) is None


def test_one_pair_has_no_interval():
    result = stats.paired_change([(10, 5)], reliable_change=None, higher_is_better=False)
    assert result.mean_change == -5 and result.ci_low is None and result.dz is None
    assert (result.improved, result.same, result.worsened) == (0, 0, 0)


def test_suppression_below_five_people():
    assert stats.suppress(12.5, 4) == "fewer than 5"
    assert stats.suppress(0, 0) == "fewer than 5"
    assert stats.suppress(12.5, 5) == 12.5
