"""Agenda minutes must add up (and the message says by how much); uploads are checked by their bytes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.errors import DomainError
from programmes.models import Material, SessionPlan
from programmes.services.editing import MaterialChange, agenda_difference, session_plan_update
from programmes.uploads import MAX_BYTES, validate_material_file
from tests.factories import programme_with_plans
from tests.programmes.factories_programmes import JPG, M4A, MP3, PDF, PNG, docx_bytes, upload

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


def _draft_plan() -> SessionPlan:
    programme = programme_with_plans(status="draft")
    return programme.session_plans.get(kind="weekly", number=1)


def _post_data(plan: SessionPlan, agenda: list[tuple[str, int]], **material: object) -> dict:
    data = {
        "title": plan.title,
        "intensity": "medium",
        "agenda-TOTAL_FORMS": str(len(agenda)),
        "agenda-INITIAL_FORMS": "0",
        "materials-TOTAL_FORMS": "1",
        "materials-INITIAL_FORMS": "0",
    }
    for index, (title, minutes) in enumerate(agenda):
        data[f"agenda-{index}-title"] = title
        data[f"agenda-{index}-minutes"] = str(minutes)
    # The empty "add a material" row, as a browser posts it: the selects keep their first values.
    blank_row = {"kind": "handout", "audience": "participants", "release": "after_session"}
    for key, value in (blank_row | material).items():
        data[f"materials-0-{key}"] = value
    return data


def test_agenda_difference_is_signed() -> None:
    assert agenda_difference(minutes=[60, 50], session_minutes=120) == -10
    assert agenda_difference(minutes=[60, 65], session_minutes=120) == 5
    assert agenda_difference(minutes=[60, 60], session_minutes=120) == 0


def test_service_refuses_short_agenda_saying_by_how_much(facilitator) -> None:
    plan = _draft_plan()
    with pytest.raises(DomainError) as refused:
        session_plan_update(
            plan=plan, by=facilitator, values={}, agenda=[{"title": "Only", "minutes": 110}], materials=[]
        )
    assert "110 minutes, 10 short of the 120-minute session" in refused.value.message
    assert list(plan.agenda_items.values_list("minutes", flat=True)) == [120]


def test_plan_form_says_how_far_over_the_agenda_is_and_saves_nothing(client, facilitator) -> None:
    plan = _draft_plan()
    client.force_login(facilitator)
    response = client.post(
        f"/programmes/plans/{plan.pk}/edit/", _post_data(plan, [("Settle", 70), ("Practice", 65)]) | {"title": "New"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "adds up to 135 minutes, 15 more than the 120-minute session" in page
    plan.refresh_from_db()
    assert plan.title != "New"
    assert list(plan.agenda_items.values_list("minutes", flat=True)) == [120]


def test_plan_form_saves_agenda_and_material_together(client, facilitator) -> None:
    plan = _draft_plan()
    client.force_login(facilitator)
    response = client.post(
        f"/programmes/plans/{plan.pk}/edit/",
        _post_data(
            plan,
            [("Settle", 20), ("Practice", 100)],
            title="Breathing guide",
            kind="practice_script",
            audience="participants",
            release="after_session",
            content="Breathe **slowly**.",
        ),
    )
    assert response.status_code == 302
    assert list(plan.agenda_items.values_list("title", "minutes")) == [("Settle", 20), ("Practice", 100)]
    assert plan.materials.get().title == "Breathing guide"


def test_high_intensity_needs_preparation_note(client, facilitator) -> None:
    plan = _draft_plan()
    client.force_login(facilitator)
    response = client.post(
        f"/programmes/plans/{plan.pk}/edit/", _post_data(plan, [("All", 120)]) | {"intensity": "high"}
    )
    assert response.status_code == 200
    assert "A high-intensity session needs a note of what to prepare" in response.content.decode()
    plan.refresh_from_db()
    assert plan.intensity == "medium"


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("notes.pdf", PDF, "pdf"),
        ("photo.png", PNG, "png"),
        ("photo.jpeg", JPG, "jpg"),
        ("breathing.mp3", MP3, "mp3"),
        ("breathing.m4a", M4A, "m4a"),
        ("letter.docx", docx_bytes(), "docx"),
    ],
)
def test_allowed_files_pass_by_signature(name: str, data: bytes, kind: str) -> None:
    assert validate_material_file(upload(name, data)) == kind


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("setup.exe", b"MZ\x90\x00", "is not one of those"),
        ("notes.pdf", b"MZ\x90\x00 actually a program", "its contents are not"),
        ("photo.png", JPG, "its contents are not"),
        ("sheet.docx", docx_bytes(word=False), "its contents are not"),
        ("page.html", b"<script>alert(1)</script>", "is not one of those"),
    ],
)
def test_forbidden_or_disguised_files_are_refused_with_a_reason(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        validate_material_file(upload(name, data))


def test_file_over_20_mb_is_refused() -> None:
    big = upload("talk.mp3", MP3 + b"\x00" * MAX_BYTES)
    with pytest.raises(ValidationError, match="the largest Steady accepts is 20 MB"):
        validate_material_file(big)


def test_disguised_upload_over_http_saves_nothing(client, facilitator, media_in_tmp) -> None:
    plan = _draft_plan()
    client.force_login(facilitator)
    data = _post_data(
        plan,
        [("Settle", 20), ("Practice", 100)],
        title="Handout",
        kind="handout",
        audience="participants",
        release="after_session",
    )
    data["materials-0-file"] = upload("handout.pdf", b"MZ\x90\x00 not a pdf")
    data["title"] = "Changed title"
    response = client.post(f"/programmes/plans/{plan.pk}/edit/", data)
    assert response.status_code == 200
    assert "its contents are not" in response.content.decode()
    assert not Material.objects.exists()
    plan.refresh_from_db()
    assert plan.title != "Changed title"
    assert not list(media_in_tmp.rglob("*.pdf"))


def test_good_upload_is_stored_with_its_detected_type(facilitator) -> None:
    plan = _draft_plan()
    session_plan_update(
        plan=plan,
        by=facilitator,
        values={},
        agenda=[{"title": "All", "minutes": 120}],
        materials=[MaterialChange(id=None, values={"title": "Picture"}, upload=upload("calm.png", PNG))],
    )
    material = plan.materials.get()
    assert (material.file_type, material.file_name) == ("png", "calm.png")
    assert material.file.read() == PNG


def test_service_refuses_a_disguised_file_even_without_the_form(facilitator) -> None:
    plan = _draft_plan()
    with pytest.raises(DomainError, match="its contents are not"):
        session_plan_update(
            plan=plan,
            by=facilitator,
            values={"title": "Changed"},
            agenda=[{"title": "All", "minutes": 120}],
            materials=[MaterialChange(id=None, values={"title": "Bad"}, upload=upload("x.jpg", PDF))],
        )
    plan.refresh_from_db()
    assert plan.title != "Changed"
    assert not Material.objects.exists()


def test_agenda_row_add_returns_next_index_and_counts_it(client, facilitator) -> None:
    plan = _draft_plan()
    client.force_login(facilitator)
    url = f"/programmes/plans/{plan.pk}/agenda-row/"
    response = client.get(url, {"agenda-TOTAL_FORMS": "3"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert 'name="agenda-3-title"' in page
    assert 'id="id_agenda-TOTAL_FORMS" value="4" hx-swap-oob="true"' in page


def test_agenda_row_remove_leaves_a_delete_marker(client, facilitator) -> None:
    plan = _draft_plan()
    client.force_login(facilitator)
    response = client.get(f"/programmes/plans/{plan.pk}/agenda-row/remove/", {"index": "2"})
    assert '<input type="hidden" name="agenda-2-DELETE" value="on">' in response.content.decode()


def test_removed_row_is_left_out_when_saving(client, facilitator) -> None:
    plan = _draft_plan()
    client.force_login(facilitator)
    data = _post_data(plan, [("Settle", 20), ("Old item", 30), ("Practice", 100)])
    data["agenda-1-DELETE"] = "on"
    response = client.post(f"/programmes/plans/{plan.pk}/edit/", data)
    assert response.status_code == 302
    assert list(plan.agenda_items.values_list("title", flat=True)) == ["Settle", "Practice"]
