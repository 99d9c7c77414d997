"""Worked examples for every shipped measure, scored by the pure module from the measure files themselves."""

from __future__ import annotations

from decimal import Decimal

import pytest

from measures.definitions import DATA_DIR, parse_definition, rules_from_definition
from measures.scoring import Band, InvalidAnswer, ItemRule, MeasureRules, ScaleRule, score_response

pytestmark = pytest.mark.measures


def rules(code: str) -> MeasureRules:
    path = DATA_DIR / f"{code}.yaml"
    return rules_from_definition(parse_definition(path.read_text(), name=path.name))


def answers(*values: int) -> dict[int, int]:
    return dict(enumerate(values, start=1))


# --- PHQ-9 ----------------------------------------------------------------------------------------


def test_phq9_sums_to_a_band_and_flags_no_risk_when_item_9_is_0():
    result = score_response(rules("phq-9"), answers(1, 2, 1, 3, 0, 2, 1, 1, 0))
    total = result.score("total")
    assert total.value == Decimal(11)
    assert total.band == "Moderate"
    assert result.risk_items == ()


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "Minimal"),
        (4, "Minimal"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Moderately severe"),
        (19, "Moderately severe"),
        (20, "Severe"),
        (27, "Severe"),
    ],
)
def test_phq9_band_edges(score, band):
    values = [3] * (score // 3) + ([score % 3] if score % 3 else [])
    values += [0] * (9 - len(values))
    result = score_response(rules("phq-9"), answers(*values))
    assert result.score("total").value == score
    assert result.score("total").band == band


@pytest.mark.parametrize("item_9", [1, 2, 3])
def test_phq9_item_9_above_0_is_a_risk(item_9):
    result = score_response(rules("phq-9"), answers(0, 0, 0, 0, 0, 0, 0, 0, item_9))
    assert result.risk_items == (9,)
    assert result.score("total").band == "Minimal"  # a low total still flags the risk


def test_phq9_with_a_missing_item_has_no_score_but_still_flags_risk():
    given = answers(2, 2, 2, 2, 2, 2, 2, 2, 1)
    del given[4]
    result = score_response(rules("phq-9"), given)
    assert result.score("total").value is None
    assert result.score("total").answered == 8
    assert result.risk_items == (9,)


# --- GAD-7 ----------------------------------------------------------------------------------------


def test_gad7_worked_example():
    result = score_response(rules("gad-7"), answers(3, 3, 2, 2, 1, 3, 2))
    assert result.score("total").value == 16
    assert result.score("total").band == "Severe"
    assert result.risk_items == ()


@pytest.mark.parametrize(
    ("total", "band"), [(4, "Minimal"), (5, "Mild"), (10, "Moderate"), (15, "Severe"), (21, "Severe")]
)
def test_gad7_band_edges(total, band):
    values = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    values += [0] * (7 - len(values))
    assert score_response(rules("gad-7"), answers(*values)).score("total").band == band


def test_gad7_missing_item_means_no_score():
    given = answers(1, 1, 1, 1, 1, 1, 1)
    del given[7]
    assert score_response(rules("gad-7"), given).score("total").value is None


# --- Self-Compassion Scale, short form ------------------------------------------------------------


def test_scs_sf_reverses_items_1_4_8_9_11_12_and_takes_the_mean():
    # Items:            1  2  3  4  5  6  7  8  9 10 11 12
    given = answers(5, 2, 3, 4, 4, 1, 3, 5, 2, 4, 1, 2)
    # Reversed (6 - x) for 1, 4, 8, 9, 11, 12: 1, 2, 1, 4, 5, 4; kept: 2, 3, 4, 1, 3, 4.
    # Sum = 1+2+3+2+4+1+3+1+4+4+5+4 = 34; mean = 34 / 12 = 2.8333 -> 2.83.
    total = score_response(rules("scs-sf"), given).score("total")
    assert total.value == Decimal("2.83")
    assert total.band == ""


def test_scs_sf_all_most_self_compassionate_answers_score_5():
    given = answers(1, 5, 5, 1, 5, 5, 5, 1, 1, 5, 1, 1)
    assert score_response(rules("scs-sf"), given).score("total").value == Decimal("5.00")


def test_scs_sf_missing_item_means_no_score():
    given = answers(3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3)
    del given[12]
    assert score_response(rules("scs-sf"), given).score("total").value is None


# --- ProQOL 5 -------------------------------------------------------------------------------------


def proqol_answers() -> dict[int, int]:
    given = dict.fromkeys(range(1, 31), 3)
    # Compassion satisfaction items all "Very Often" (5): 10 x 5 = 50, High.
    for n in (3, 6, 12, 16, 18, 20, 22, 24, 27, 30):
        given[n] = 5
    # Burnout: reversed items 1, 4, 15, 17, 29 answered 5 count 1 each (5);
    # items 8, 10, 19, 21, 26 answered 2 count 2 each (10): total 15, Low.
    for n in (1, 4, 15, 17, 29):
        given[n] = 5
    for n in (8, 10, 19, 21, 26):
        given[n] = 2
    # Secondary traumatic stress left at 3: 10 x 3 = 30, Moderate.
    return given


def test_proqol_scores_three_subscales_with_burnout_reversed():
    result = score_response(rules("proqol-5"), proqol_answers())
    assert result.score("compassion-satisfaction").value == 50
    assert result.score("compassion-satisfaction").band == "High"
    assert result.score("burnout").value == 15
    assert result.score("burnout").band == "Low"
    assert result.score("secondary-traumatic-stress").value == 30
    assert result.score("secondary-traumatic-stress").band == "Moderate"


@pytest.mark.parametrize(("each", "band"), [(2, "Low"), (3, "Moderate"), (4, "Moderate")])
def test_proqol_cut_scores(each, band):
    # 22 or less low, 23-41 moderate, 42 or more high: 20, 30, 40.
    given = dict.fromkeys(range(1, 31), each)
    assert score_response(rules("proqol-5"), given).score("secondary-traumatic-stress").band == band


def test_proqol_missing_item_leaves_only_its_subscale_unscored():
    given = proqol_answers()
    del given[2]  # a secondary traumatic stress item
    result = score_response(rules("proqol-5"), given)
    assert result.score("secondary-traumatic-stress").value is None
    assert result.score("burnout").value == 15


# --- Licensed scales (scoring only) ---------------------------------------------------------------


def test_swemwbs_converts_the_raw_sum_with_the_published_table():
    total = score_response(rules("swemwbs"), answers(3, 3, 3, 4, 4, 3, 3)).score("total")
    assert total.raw == 23
    assert total.value == Decimal("20.73")


@pytest.mark.parametrize(("each", "metric"), [(1, "7.00"), (5, "35.00")])
def test_swemwbs_table_ends(each, metric):
    assert score_response(rules("swemwbs"), answers(*[each] * 7)).score("total").value == Decimal(metric)


def test_swemwbs_table_covers_every_raw_score_and_rises():
    table = rules("swemwbs").scales[0].conversion
    assert sorted(table) == list(range(7, 36))
    values = [table[raw] for raw in range(7, 36)]
    assert values == sorted(values) and len(set(values)) == 29


def test_swemwbs_missing_item_means_no_score():
    given = answers(3, 3, 3, 3, 3, 3, 3)
    del given[1]
    assert score_response(rules("swemwbs"), given).score("total").value is None


def test_wemwbs_is_the_sum_of_14_items():
    assert score_response(rules("wemwbs"), answers(*[4] * 7, *[3] * 7)).score("total").value == 49


def test_fscrs_scores_three_subscales():
    given = dict.fromkeys(range(1, 23), 0)
    for n in (1, 2, 4, 6, 7, 14, 17, 18, 20):
        given[n] = 3  # inadequate self 27
    for n in (9, 10, 12, 15, 22):
        given[n] = 1  # hated self 5
    for n in (3, 5, 8, 11, 13, 16, 19, 21):
        given[n] = 4  # reassured self 32
    result = score_response(rules("fscrs"), given)
    assert result.score("inadequate-self").value == 27
    assert result.score("hated-self").value == 5
    assert result.score("reassured-self").value == 32


# --- The rules themselves -------------------------------------------------------------------------


def prorating_rules(method: str) -> MeasureRules:
    items = {n: ItemRule(number=n, min_value=0, max_value=3, reverse=(n == 4)) for n in range(1, 5)}
    scale = ScaleRule(
        code="total",
        items=(1, 2, 3, 4),
        method=method,
        max_missing=1,
        decimals=0 if method == "sum" else 2,
        bands=(Band(Decimal(0), Decimal(5), "Low"), Band(Decimal(6), Decimal(12), "High")),
    )
    return MeasureRules(code="example", items=items, scales=(scale,))


def test_a_sum_with_missing_items_within_the_limit_is_prorated():
    # 2 + 3 + reversed(1)=2 answered, item 3 missing: 7 x 4 / 3 = 9.33 -> 9.
    total = score_response(prorating_rules("sum"), {1: 2, 2: 3, 4: 1}).score("total")
    assert total.value == 9
    assert total.prorated is True
    assert total.band == "High"


def test_a_sum_with_more_missing_items_than_allowed_has_no_score():
    total = score_response(prorating_rules("sum"), {1: 2, 2: 3}).score("total")
    assert total.value is None
    assert total.prorated is False


def test_a_mean_with_a_missing_item_is_the_mean_of_those_answered():
    total = score_response(prorating_rules("mean"), {1: 2, 2: 3, 4: 1}).score("total")
    assert total.value == Decimal("2.33")


def test_rounding_is_half_up():
    items = {n: ItemRule(number=n, min_value=0, max_value=3) for n in range(1, 3)}
    mean = MeasureRules("half", items, (ScaleRule(code="t", items=(1, 2), method="mean", decimals=0),))
    assert score_response(mean, {1: 1, 2: 2}).score("t").value == 2  # 1.5 rounds up, not to even
    assert score_response(mean, {1: 2, 2: 3}).score("t").value == 3  # 2.5 rounds up, not to even


def test_an_answer_outside_the_options_is_refused():
    with pytest.raises(InvalidAnswer):
        score_response(rules("phq-9"), {1: 4})


def test_an_answer_to_an_item_the_measure_does_not_have_is_refused():
    with pytest.raises(InvalidAnswer):
        score_response(rules("gad-7"), {8: 1})
