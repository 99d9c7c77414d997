"""A service lead imports the wording their licence gives them; a wrong file is refused and imports nothing."""

from __future__ import annotations

import pytest

from core.errors import DomainError, NotAllowed
from measures.models import Item, Measure, ResponseOption
from measures.services import measure_items_import, measures_load_builtin, response_start

pytestmark = pytest.mark.measures


def csv_file(count: int, *, start: int = 1) -> str:
    rows = "".join(f'{n},"Licensed statement {n}"\n' for n in range(start, start + count))
    return "number,text\n" + rows


def yaml_file(count: int, values: range) -> str:
    items = "".join(f"  - {{number: {n}, text: 'Licensed statement {n}'}}\n" for n in range(1, count + 1))
    options = "".join(f"  - {{value: {v}, label: 'Label {v}'}}\n" for v in values)
    return f"items:\n{items}options:\n{options}"


def texts(measure: Measure) -> list[str]:
    return list(Item.objects.filter(measure=measure).order_by("number").values_list("text", flat=True))


def test_a_csv_import_sets_the_wording(measures, service_lead):
    measure = measure_items_import(measure=measures["swemwbs"], text=csv_file(7), filename="items.csv", by=service_lead)
    assert texts(measure) == [f"Licensed statement {n}" for n in range(1, 8)]
    assert measure.has_wording
    assert measure.wording_imported_by == service_lead


def test_a_yaml_import_sets_the_wording_and_the_option_labels(measures, service_lead):
    measure = measure_items_import(
        measure=measures["fscrs"], text=yaml_file(22, range(0, 5)), filename="fscrs.yaml", by=service_lead
    )
    assert texts(measure)[21] == "Licensed statement 22"
    labels = list(ResponseOption.objects.filter(option_set__measure=measure).values_list("label", flat=True))
    assert labels == [f"Label {v}" for v in range(5)]


def test_imported_wording_survives_loading_the_register_again(measures, service_lead):
    measure_items_import(measure=measures["wemwbs"], text=csv_file(14), filename="items.csv", by=service_lead)
    measures_load_builtin()
    assert texts(measures["wemwbs"])[0] == "Licensed statement 1"


@pytest.mark.parametrize(
    ("text", "filename", "reason"),
    [
        (csv_file(6), "items.csv", "has 7 items, numbered 1 to 7; the file has 6"),
        (csv_file(8), "items.csv", "the file has 8"),
        (csv_file(7, start=2), "items.csv", r"the file has 7 \(2, 3, 4, 5, 6, 7, 8\)"),
        ("number,wording\n1,x\n", "items.csv", "columns number and text"),
        ('number,text\n1,""\n', "items.csv", "Item 1 has no wording"),
        ("number,text\n1,a\n1,b\n", "items.csv", "Item 1 appears twice"),
        (yaml_file(7, range(1, 5)), "items.yaml", r"offers 5 answers \(1, 2, 3, 4, 5\); the file gives 4"),
        (yaml_file(7, range(0, 5)), "items.yaml", "the file gives 5 \\(0, 1, 2, 3, 4\\)"),
        ("items: [", "items.yaml", "not valid YAML"),
        ("anything", "items.txt", "CSV or YAML"),
    ],
)
def test_a_wrong_file_is_refused_with_the_reason_and_nothing_imported(measures, service_lead, text, filename, reason):
    with pytest.raises(DomainError, match=reason):
        measure_items_import(measure=measures["swemwbs"], text=text, filename=filename, by=service_lead)
    measure = Measure.objects.get(pk=measures["swemwbs"].pk)
    assert measure.wording_imported_at is None
    assert texts(measure) == [""] * 7
    assert not ResponseOption.objects.filter(option_set__measure=measure).exclude(label="").exists()


def test_a_measure_that_ships_its_wording_takes_no_import(measures, service_lead):
    with pytest.raises(NotAllowed, match="ships with its own wording"):
        measure_items_import(measure=measures["phq-9"], text=csv_file(9), filename="items.csv", by=service_lead)
    assert texts(measures["phq-9"])[0] == "Little interest or pleasure in doing things"


def test_only_a_service_lead_imports(measures, facilitator):
    with pytest.raises(NotAllowed):
        measure_items_import(measure=measures["swemwbs"], text=csv_file(7), filename="items.csv", by=facilitator)
    assert texts(measures["swemwbs"]) == [""] * 7


def test_wording_cannot_change_once_answered(measures, service_lead, participant, cohort):
    measure = measure_items_import(measure=measures["swemwbs"], text=csv_file(7), filename="items.csv", by=service_lead)
    response_start(measure=measure, participant=participant, cohort=cohort, time_point="baseline", by=participant)
    with pytest.raises(NotAllowed, match="already answered"):
        measure_items_import(
            measure=measure, text=csv_file(7).replace("Licensed", "Changed"), filename="items.csv", by=service_lead
        )
    assert texts(measures["swemwbs"])[0] == "Licensed statement 1"


def test_a_licensed_measure_cannot_be_started_before_its_wording_is_imported(measures, participant, cohort):
    with pytest.raises(NotAllowed, match="not been imported"):
        response_start(
            measure=measures["fscrs"], participant=participant, cohort=cohort, time_point="baseline", by=participant
        )
