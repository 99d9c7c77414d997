"""Export and import: a lossless round trip, and one clear error (field and line) with nothing imported."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from core.errors import DomainError
from programmes.interchange import ImportFormatError
from programmes.models import AgendaItem, InformationPackSection, Material, Programme, SessionPlan
from programmes.selectors import programme_export_text
from programmes.services.editing import MaterialChange, session_plan_update
from programmes.services.importing import programme_import, programme_load_builtin
from tests.factories import programme_with_plans
from tests.programmes.factories_programmes import PDF, upload

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Programme, SessionPlan, AgendaItem, Material, InformationPackSection)
    )


def test_builtin_programme_round_trip_is_lossless() -> None:
    programme, _ = programme_load_builtin()
    exported = programme_export_text(programme=programme)
    Programme.objects.all().delete()

    imported, created = programme_import(text=exported, by=None)

    assert created
    assert imported.family == programme.family and imported.version == programme.version
    assert programme_export_text(programme=imported) == exported
    assert imported.session_plans.count() == 14


def test_round_trip_carries_uploaded_files(facilitator) -> None:
    programme = programme_with_plans(status="draft", weeks=2, boosters=0)
    plan = programme.session_plans.get(number=1)
    session_plan_update(
        plan=plan,
        by=facilitator,
        values={"title": "With a file", "home_practice": "Line one\nLine two\n"},
        agenda=[{"title": "All", "minutes": 120, "notes": "  odd spacing  "}],
        materials=[
            MaterialChange(
                id=None,
                values={"title": "Notes", "audience": "facilitators", "release": "on_enrolment"},
                upload=upload("session notes.pdf", PDF),
            )
        ],
    )
    exported = programme_export_text(programme=programme)
    Programme.objects.all().delete()

    imported, _ = programme_import(text=exported, by=None)

    material = Material.objects.get(session_plan__programme=imported)
    assert material.file.read() == PDF
    assert (material.file_name, material.file_type, material.audience) == ("session notes.pdf", "pdf", "facilitators")
    assert programme_export_text(programme=imported) == exported


def test_import_of_a_version_already_here_is_refused() -> None:
    programme, _ = programme_load_builtin()
    with pytest.raises(DomainError, match="already here"):
        programme_import(text=programme_export_text(programme=programme), by=None)


def _builtin_text() -> str:
    programme, _ = programme_load_builtin()
    text = programme_export_text(programme=programme)
    Programme.objects.all().delete()
    return text


def test_missing_field_names_the_field_and_the_line_and_imports_nothing() -> None:
    lines = _builtin_text().splitlines()
    # Drop the title of the third session plan (week 3).
    title_lines = [i for i, line in enumerate(lines) if line.startswith("    title: ")]
    removed = title_lines[2]
    del lines[removed]

    with pytest.raises(ImportFormatError) as error:
        programme_import(text="\n".join(lines), by=None)

    assert error.value.field == "title"
    assert "The session plan (weekly 3) is missing the field 'title'." in error.value.message
    # The line given is where that session plan starts: "- kind: weekly", two lines above the lost title.
    assert error.value.line == removed - 1
    assert lines[error.value.line - 1].strip() == "- kind: weekly"
    assert lines[error.value.line].strip() == "number: 3"
    assert _counts() == (0, 0, 0, 0, 0)


def test_error_late_in_the_file_leaves_nothing_behind() -> None:
    text = _builtin_text().replace("topic: leaving", "topic: goodbyes")
    with pytest.raises(ImportFormatError) as error:
        programme_import(text=text, by=None)
    assert error.value.field == "topic"
    assert "'goodbyes'" in error.value.message
    assert text.splitlines()[error.value.line - 1].strip() == "- topic: goodbyes"
    assert _counts() == (0, 0, 0, 0, 0)


def test_unknown_format_version_is_refused_with_its_line() -> None:
    text = _builtin_text().replace("format_version: 1", "format_version: 7")
    with pytest.raises(ImportFormatError) as error:
        programme_import(text=text, by=None)
    assert error.value.field == "format_version"
    assert error.value.line == 2
    assert "cannot read" in error.value.message
    assert _counts() == (0, 0, 0, 0, 0)


def test_not_yaml_at_all_is_refused_calmly() -> None:
    with pytest.raises(ImportFormatError, match="not valid YAML"):
        programme_import(text="format: [unclosed", by=None)


def test_commands_export_and_import(tmp_path) -> None:
    programme, _ = programme_load_builtin()
    path = tmp_path / "programme.yaml"
    call_command("export_programme", str(programme.pk), "--output", str(path))
    Programme.objects.all().delete()
    call_command("import_programme", str(path), "--publish")
    imported = Programme.objects.get()
    assert imported.status == Programme.Status.PUBLISHED
    assert programme_export_text(programme=imported) == path.read_text()


def test_import_command_error_names_field_and_line(tmp_path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(_builtin_text().replace("  session_minutes: 120\n", ""))
    with pytest.raises(CommandError, match=r"line 4: The programme is missing the field 'session_minutes'"):
        call_command("import_programme", str(path))
    assert not Programme.objects.exists()


def test_download_and_upload_on_screen(client, service_lead) -> None:
    programme, _ = programme_load_builtin()
    client.force_login(service_lead)
    response = client.get(f"/programmes/{programme.pk}/export/")
    assert response["Content-Disposition"].endswith(f'-v{programme.version}.yaml"')
    text = response.content.decode()
    Programme.objects.all().delete()

    response = client.post(
        "/programmes/import/", {"file": SimpleUploadedFile("p.yaml", text.encode()), "publish": "on"}
    )
    imported = Programme.objects.get()
    assert response.status_code == 302 and response["Location"] == imported.get_absolute_url()
    assert imported.status == Programme.Status.PUBLISHED


def test_upload_with_an_error_shows_the_line_and_imports_nothing(client, facilitator) -> None:

    text = _builtin_text().replace("format_version: 1", "format_version: 2")
    client.force_login(facilitator)
    response = client.post("/programmes/import/", {"file": SimpleUploadedFile("p.yaml", text.encode())})
    assert response.status_code == 200
    assert "Line 2: &#x27;format_version&#x27; is 2" in response.content.decode()
    assert "Nothing was imported." in response.content.decode()
    assert not Programme.objects.exists()


def test_javascript_link_in_a_file_is_refused_with_its_line() -> None:
    text = _builtin_text()
    assert "      url: ''\n" in text
    text = text.replace("      url: ''\n", "      url: javascript:alert(1)\n", 1)
    with pytest.raises(ImportFormatError) as error:
        programme_import(text=text, by=None)
    assert error.value.field == "url"
    assert text.splitlines()[error.value.line - 1].strip() == "url: javascript:alert(1)"
    assert _counts() == (0, 0, 0, 0, 0)


def test_too_long_title_in_a_file_is_refused_not_cut() -> None:
    text = _builtin_text().replace("title: Welcome, and making this a safe place to be", "title: " + "Welcome " * 30, 1)
    with pytest.raises(ImportFormatError, match="the most it can be is 150"):
        programme_import(text=text, by=None)
    assert _counts() == (0, 0, 0, 0, 0)


# Identity, life cycle and bookkeeping: not content, so not carried by a file.
NOT_CONTENT = {"id", "family", "version", "status", "based_on", "created_by", "updated_by"}
NOT_CONTENT |= {"published_at", "retired_at", "created_at", "updated_at"}
AWAY_FROM_DEFAULT = {
    "name": "Every field set",
    "summary": "A summary.",
    "audience": "Night staff.",
    "weekly_session_count": 2,
    "session_minutes": 90,
    "default_capacity": 6,
    "max_capacity": 10,
    "booster_offsets_weeks": [3, 9],
    "neutral_label": "Team time",
    "pre_group_checkin_required": True,
    "join_closes_after_week": 1,
}


def test_round_trip_keeps_every_programme_field_set_away_from_its_default() -> None:
    content = [f for f in Programme._meta.concrete_fields if f.name not in NOT_CONTENT]
    # A new field must be added here (and to the file format): this catches one that is not.
    assert {f.name for f in content} == set(AWAY_FROM_DEFAULT)
    programme = programme_with_plans(weeks=2, boosters=2)
    for field in content:
        assert AWAY_FROM_DEFAULT[field.name] != (field.get_default() if field.has_default() else ""), field.name
        setattr(programme, field.name, AWAY_FROM_DEFAULT[field.name])
    programme.save()
    exported = programme_export_text(programme=programme)
    Programme.objects.all().delete()

    imported, _ = programme_import(text=exported, by=None)

    for field in content:
        assert getattr(imported, field.name) == AWAY_FROM_DEFAULT[field.name], field.name


def test_a_check_in_flag_that_is_not_true_or_false_is_refused_with_its_line() -> None:
    exported = programme_export_text(programme=programme_with_plans(weeks=1, boosters=0))
    Programme.objects.all().delete()
    broken = exported.replace("pre_group_checkin_required: false", "pre_group_checkin_required: maybe")
    with pytest.raises(ImportFormatError) as error:
        programme_import(text=broken, by=None)
    assert error.value.field == "pre_group_checkin_required"
    assert Programme.objects.count() == 0
