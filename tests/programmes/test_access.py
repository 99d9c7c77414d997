"""Who may open the library and facilitator-only materials, over HTTP as each role; release rules."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from programmes.models import Material, SessionPlan
from sessions.selectors.materials import materials_query
from tests.factories import ParticipantFactory, cohort_with_sessions, enrol, programme_with_plans
from tests.programmes.factories_programmes import MP3, PDF

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


@pytest.fixture
def plan() -> SessionPlan:
    return programme_with_plans().session_plans.get(kind="weekly", number=1)


@pytest.fixture
def facilitator_material(plan: SessionPlan) -> Material:
    material = Material(
        session_plan=plan,
        title="Keeping the critic session safe",
        audience=Material.Audience.FACILITATORS,
        content="Watch for shutdown.",
        file_type="pdf",
        file_name="notes.pdf",
    )
    material.file.save("notes.pdf", ContentFile(PDF), save=False)
    material.save()
    return material


@pytest.mark.parametrize(
    ("who", "status"), [("facilitator", 200), ("service_lead", 200), ("participant", 403), ("manager", 403)]
)
def test_facilitator_only_material_page_and_file_by_role(client, request, facilitator_material, who, status) -> None:
    client.force_login(request.getfixturevalue(who))
    page = client.get(f"/programmes/materials/{facilitator_material.pk}/")
    download = client.get(f"/programmes/materials/{facilitator_material.pk}/download/")
    assert (page.status_code, download.status_code) == (status, status)
    if status == 200:
        assert "Watch for shutdown." in page.content.decode()
        assert download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content) == PDF
    else:
        assert "Watch for shutdown." not in page.content.decode()


def test_signed_out_visitor_is_sent_to_sign_in(client, facilitator_material) -> None:
    response = client.get(f"/programmes/materials/{facilitator_material.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "status"), [("facilitator", 200), ("service_lead", 200), ("participant", 403), ("manager", 403)]
)
def test_library_pages_by_role(client, request, plan, who, status) -> None:
    client.force_login(request.getfixturevalue(who))
    programme = plan.programme
    for url in (
        "/programmes/",
        f"/programmes/{programme.pk}/",
        f"/programmes/{programme.pk}/pack/",
        f"/programmes/plans/{plan.pk}/",
        f"/programmes/plans/{plan.pk}/edit/",
        f"/programmes/{programme.pk}/export/",
    ):
        assert client.get(url).status_code == status, url


def test_wrong_role_cannot_publish_or_retire(client, participant) -> None:
    programme = programme_with_plans(status="draft")
    client.force_login(participant)
    assert client.post(f"/programmes/{programme.pk}/retire/").status_code == 403
    programme.refresh_from_db()
    assert programme.status == "draft"


def test_plan_page_lists_facilitator_notes_for_staff(client, facilitator, facilitator_material) -> None:
    client.force_login(facilitator)
    page = client.get(f"/programmes/plans/{facilitator_material.session_plan_id}/").content.decode()
    assert "Keeping the critic session safe" in page
    assert "Facilitators only" in page


def released(plan: SessionPlan, *, held: bool, started: bool) -> list[Material]:
    """The plan's materials the one release rule (sessions.selectors.materials) gives a confirmed place."""
    return list(
        materials_query(
            programme_ids=[plan.programme_id],
            held_ids={plan.pk} if held else set(),
            started_ids={plan.pk} if started else set(),
        ).filter(session_plan=plan)
    )


def test_participant_selector_never_returns_facilitator_only_materials(plan, facilitator_material) -> None:
    handout = Material.objects.create(session_plan=plan, title="Handout", content="Hi")
    assert released(plan, held=True, started=True) == [handout]


@pytest.mark.parametrize(
    ("release", "held", "started", "expected"),
    [
        ("on_enrolment", False, False, True),
        ("after_session", False, True, False),
        ("after_session", True, True, True),
        ("week_start", False, False, False),
        ("week_start", False, True, True),
    ],
)
def test_release_rules(plan, release, held, started, expected) -> None:
    material = Material.objects.create(session_plan=plan, title="Sheet", release=release)
    assert (material in released(plan, held=held, started=started)) is expected


def test_facilitator_only_material_is_never_released(plan) -> None:
    Material.objects.create(
        session_plan=plan, title="Notes", audience=Material.Audience.FACILITATORS, release=Material.Release.ON_ENROLMENT
    )
    assert released(plan, held=True, started=True) == []


def test_nav_shows_programmes_to_staff_only(client, facilitator, participant) -> None:
    client.force_login(facilitator)
    assert 'href="/programmes/"' in client.get("/programmes/").content.decode()
    client.force_login(participant)
    assert 'href="/programmes/"' not in client.get("/me/").content.decode()


def _released_to_a_participant(*, audience: str = Material.Audience.PARTICIPANTS):
    """A material released on enrolment in a cohort, with an audio file and a Markdown table; and the place."""

    cohort = cohort_with_sessions()
    place = enrol(cohort)
    material = Material(
        session_plan=cohort.programme.session_plans.get(kind="weekly", number=1),
        title="Soothing-rhythm breathing",
        kind=Material.Kind.AUDIO,
        audience=audience,
        release=Material.Release.ON_ENROLMENT,
        content="| Day | Minutes |\n|---|---|\n| Mon | 5 |\n",
        file_type="mp3",
        file_name="breathing.mp3",
    )
    material.file.save("breathing.mp3", ContentFile(MP3), save=False)
    material.save()
    return material, place


def test_participant_material_page_renders_tables_and_links_the_checked_file(client) -> None:
    material, place = _released_to_a_participant()
    client.force_login(place.participant)
    page = client.get(f"/me/materials/{material.pk}/").content.decode()
    assert "<table>" in page and "<td>Mon</td>" in page
    assert f'href="/me/materials/{material.pk}/file/"' in page
    assert "/media/" not in page
    response = client.get(f"/me/materials/{material.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert b"".join(response.streaming_content).startswith(b"ID3")


def test_participant_file_is_refused_to_others_and_for_facilitator_only_materials(client) -> None:

    material, _place = _released_to_a_participant()
    client.force_login(ParticipantFactory())
    assert client.get(f"/me/materials/{material.pk}/file/").status_code == 404
    hidden, other_place = _released_to_a_participant(audience=Material.Audience.FACILITATORS)
    client.force_login(other_place.participant)
    assert client.get(f"/me/materials/{hidden.pk}/file/").status_code == 404
