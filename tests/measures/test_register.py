"""The measure register is data: loading it, loading it again, and refusing bad or changed files."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from core.demo import run_seeders
from core.errors import DomainError, NotAllowed
from measures.definitions import DATA_DIR, DefinitionError, builtin_paths, parse_definition, rules_from_definition
from measures.models import Item, Measure, ResponseOption, Scale, ScheduledMeasure
from measures.selectors import measure_rules
from measures.services import (
    CREATED,
    UNCHANGED,
    UPDATED,
    measure_load,
    measure_schedule_add,
    measures_load_builtin,
    response_start,
)
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.measures

SHIPPED = {"phq-9": 9, "gad-7": 7, "scs-sf": 12, "proqol-5": 30, "swemwbs": 7, "wemwbs": 14, "fscrs": 22}
LICENSED = {"swemwbs", "wemwbs", "fscrs"}


def test_every_shipped_measure_loads_with_its_items(measures):
    assert {code: m.items.count() for code, m in measures.items()} == SHIPPED
    for code, measure in measures.items():
        assert measure.wording_shipped is (code not in LICENSED)
        assert measure.source_citation and measure.licence


def test_licensed_measures_ship_no_wording_and_no_option_labels(measures):
    for code in LICENSED:
        assert not Item.objects.filter(measure=measures[code]).exclude(text="").exists()
        assert not ResponseOption.objects.filter(option_set__measure=measures[code]).exclude(label="").exists()
        assert measures[code].has_wording is False


def test_free_measures_record_where_their_wording_was_checked(measures):
    for code in set(SHIPPED) - LICENSED:
        assert measures[code].wording_verified is True
        assert measures[code].source_urls
        assert not Item.objects.filter(measure=measures[code], text="").exists()


def test_loading_again_changes_nothing(measures):
    before = (Measure.objects.count(), Item.objects.count(), Scale.objects.count(), ResponseOption.objects.count())
    item_ids = set(Item.objects.values_list("pk", flat=True))
    states = {state for _m, state in measures_load_builtin()}
    assert states == {UNCHANGED}
    assert (
        Measure.objects.count(),
        Item.objects.count(),
        Scale.objects.count(),
        ResponseOption.objects.count(),
    ) == before
    assert set(Item.objects.values_list("pk", flat=True)) == item_ids


def test_the_database_rules_match_the_file_rules(measures):
    for path in builtin_paths():
        definition = parse_definition(path.read_text(), name=path.name)
        assert measure_rules(measure=measures[definition.code]) == rules_from_definition(definition)


def test_phq9_item_9_is_the_only_risk_item(measures):
    risky = Item.objects.filter(risk_min_value__isnull=False)
    assert [(i.measure.code, i.number, i.risk_min_value) for i in risky] == [("phq-9", 9, 1)]


def changed_phq9_text() -> str:
    return (DATA_DIR / "phq-9.yaml").read_text().replace("label: Minimal", "label: None to minimal")


def test_a_changed_file_updates_an_unanswered_version(measures):
    measure, state = measure_load(definition=parse_definition(changed_phq9_text()))
    assert state == UPDATED
    assert measure.scales.get().bands[0]["label"] == "None to minimal"
    assert measure.items.count() == 9


def test_a_changed_file_for_an_answered_version_is_refused(measures, participant, cohort):
    response_start(
        measure=measures["phq-9"], participant=participant, cohort=cohort, time_point="baseline", by=participant
    )
    with pytest.raises(NotAllowed, match="new version number"):
        measure_load(definition=parse_definition(changed_phq9_text()))
    assert measures["phq-9"].scales.get().bands[0]["label"] == "Minimal"


def test_a_new_version_loads_beside_the_old_one(measures):
    text = changed_phq9_text().replace("\nversion: 1\n", "\nversion: 2\n", 1)
    measure, state = measure_load(definition=parse_definition(text))
    assert state == CREATED
    assert measure.version == 2
    assert Measure.objects.filter(code="phq-9").count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("item_count: 9", "item_count: 10"), "item_count is 10"),
        (("{number: 5, ", "{number: 6, "), "numbered 1 to 9"),
        (("risk_min: 1", "risk_min: 4"), "not one of its options"),
        (("method: sum", "method: median"), "sum or mean"),
        (("format: steady-measure", "format: something-else"), "not a steady-measure file"),
        (('{number: 4, text: "Feeling tired or having little energy"}', "{number: 4}"), "wording is missing"),
    ],
)
def test_a_bad_file_is_refused_with_the_reason(change, message):
    text = (DATA_DIR / "phq-9.yaml").read_text().replace(*change)
    with pytest.raises(DefinitionError, match=message):
        parse_definition(text)


def test_a_licensed_file_with_wording_is_refused():
    text = (DATA_DIR / "wemwbs.yaml").read_text().replace("- {number: 1}", '- {number: 1, text: "Some words"}')
    with pytest.raises(DefinitionError, match="ships no item wording"):
        parse_definition(text)


def test_load_measures_command_loads_then_reports_unchanged(db):
    out = StringIO()
    call_command("load_measures", stdout=out)
    assert out.getvalue().count("created:") == len(SHIPPED)
    out = StringIO()
    call_command("load_measures", stdout=out)
    assert out.getvalue().count("unchanged:") == len(SHIPPED)


def test_load_measures_command_loads_nothing_when_one_file_is_bad(db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((DATA_DIR / "gad-7.yaml").read_text().replace("item_count: 7", "item_count: 8"))
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("load_measures", str(DATA_DIR / "phq-9.yaml"), str(bad), stdout=StringIO())
    assert Measure.objects.count() == 0


def test_a_programme_schedules_measures_at_time_points(measures):

    programme = ProgrammeFactory()
    ScheduledMeasure.objects.create(programme=programme, measure=measures["phq-9"], time_point="baseline")
    ScheduledMeasure.objects.create(programme=programme, measure=measures["phq-9"], time_point="mid", week=6)
    ScheduledMeasure.objects.create(programme=programme, measure=measures["phq-9"], time_point="booster-2")
    assert programme.scheduled_measures.count() == 3


@pytest.mark.parametrize(("time_point", "week"), [("mid", None), ("baseline", 1), ("booster-1", 14), ("week-6", None)])
def test_the_database_refuses_a_schedule_that_does_not_fit_its_time_point(measures, time_point, week):

    programme = ProgrammeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledMeasure.objects.create(
            programme=programme, measure=measures["gad-7"], time_point=time_point, week=week
        )


def test_scheduling_is_idempotent_and_checks_the_week(measures):

    programme = ProgrammeFactory(weekly_session_count=12)
    first = measure_schedule_add(programme=programme, measure=measures["phq-9"], time_point="mid", week=6)
    again = measure_schedule_add(programme=programme, measure=measures["phq-9"], time_point="mid", week=6)
    assert first.pk == again.pk
    for kwargs in ({"time_point": "end"}, {"time_point": "baseline", "week": 1}, {"time_point": "end", "week": 13}):
        with pytest.raises(DomainError):
            measure_schedule_add(programme=programme, measure=measures["gad-7"], **kwargs)
    assert programme.scheduled_measures.count() == 1


def test_the_demo_loads_measures_and_schedules_them_idempotently(db):

    ctx = run_seeders()
    count = ScheduledMeasure.objects.count()
    programme = ctx.objects["programme"]
    boosters = len(programme.booster_offsets_weeks)
    assert count == 4 * (3 + boosters)
    assert ScheduledMeasure.objects.get(programme=programme, measure__code="phq-9", time_point="mid").week == 6
    run_seeders()
    assert ScheduledMeasure.objects.count() == count
