"""A programme that a cohort uses is never edited in place: edits make a new version."""

from __future__ import annotations

import pytest

from core.errors import DomainError, NotAllowed
from programmes.models import InformationPack, InformationPackSection, Programme, SessionPlan
from programmes.services.editing import (
    MaterialChange,
    information_pack_update,
    programme_create,
    programme_update,
    session_plan_update,
)
from programmes.services.publishing import programme_publish, programme_retire
from programmes.services.versions import programme_duplicate
from tests.factories import CohortFactory, cohort_with_sessions, programme_with_plans

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


def _agenda(total: int = 120) -> list[dict]:
    return [
        {"title": "Settle", "minutes": 10, "notes": ""},
        {"title": "Practice", "minutes": total - 10, "notes": ""},
    ]


def test_editing_a_used_programme_never_changes_a_running_cohorts_plans(facilitator) -> None:
    cohort = cohort_with_sessions(status="running")
    programme = cohort.programme
    week3 = programme.session_plans.get(kind="weekly", number=3)
    before = (week3.title, list(week3.agenda_items.values_list("title", "minutes")))

    saved = session_plan_update(
        plan=week3,
        by=facilitator,
        values={"title": "Three systems, revised", "intensity": "high", "intensity_preparation": "Offer check-ins."},
        agenda=_agenda(),
        materials=[MaterialChange(id=None, values={"title": "New handout", "content": "Hello"})],
    )

    assert saved.pk != week3.pk
    assert saved.programme.family == programme.family
    assert saved.programme.version == programme.version + 1
    assert saved.programme.status == Programme.Status.DRAFT
    assert saved.title == "Three systems, revised"
    week3.refresh_from_db()
    assert (week3.title, list(week3.agenda_items.values_list("title", "minutes"))) == before
    assert not week3.materials.exists()
    session = cohort.group_sessions.get(number=3)
    assert session.session_plan_id == week3.pk
    assert session.session_plan.title == before[0]
    # The whole tree was copied: every plan, with its agenda.
    assert saved.programme.session_plans.count() == programme.session_plans.count()


def test_programme_settings_edit_on_used_programme_makes_new_version(facilitator) -> None:
    cohort = CohortFactory()
    programme = cohort.programme
    saved = programme_update(programme=programme, by=facilitator, name="Renamed", neutral_label="Team time")
    assert saved.pk != programme.pk
    programme.refresh_from_db()
    assert programme.name != "Renamed"
    assert programme.neutral_label == "Staff wellbeing group"
    assert (saved.name, saved.neutral_label, saved.version) == ("Renamed", "Team time", 2)
    assert saved.based_on == programme
    cohort.refresh_from_db()
    assert cohort.programme_id == programme.pk


def test_unused_draft_is_edited_in_place(facilitator) -> None:
    programme = programme_with_plans(status="draft")
    saved = programme_update(programme=programme, by=facilitator, name="Draft renamed")
    assert saved.pk == programme.pk
    assert Programme.objects.filter(family=programme.family).count() == 1
    assert saved.updated_by == facilitator


def test_published_programme_edit_makes_new_version_even_when_unused(facilitator) -> None:
    programme = programme_with_plans()  # published, no cohort
    saved = programme_update(programme=programme, by=facilitator, summary="New words")
    assert saved.version == 2
    programme.refresh_from_db()
    assert programme.summary != "New words"


def test_changing_week_count_in_a_draft_adds_and_removes_plans(facilitator) -> None:
    programme = programme_create(by=facilitator, name="Short course", weekly_session_count=6, booster_offsets_weeks=[4])
    assert programme.session_plans.filter(kind="weekly").count() == 6
    programme_update(programme=programme, by=facilitator, weekly_session_count=8, booster_offsets_weeks=[])
    assert programme.session_plans.filter(kind="weekly").count() == 8
    assert not programme.session_plans.filter(kind="booster").exists()
    programme_update(programme=programme, by=facilitator, weekly_session_count=4)
    assert sorted(programme.session_plans.values_list("number", flat=True)) == [1, 2, 3, 4]


def test_default_group_size_above_the_largest_is_refused(facilitator) -> None:
    with pytest.raises(DomainError, match="cannot be larger"):
        programme_create(by=facilitator, name="Big", default_capacity=14, max_capacity=12)
    assert not Programme.objects.exists()


def test_duplicate_is_a_new_family_at_version_one(facilitator) -> None:
    programme = programme_with_plans()
    copy = programme_duplicate(programme=programme, by=facilitator)
    assert copy.family != programme.family
    assert (copy.version, copy.status) == (1, Programme.Status.DRAFT)
    assert copy.name.startswith("Copy of")
    assert copy.session_plans.count() == programme.session_plans.count()
    assert copy.information_packs.get().sections.count() == 1


def test_publishing_a_new_version_retires_the_old_one_and_cohort_keeps_it(facilitator) -> None:
    cohort = CohortFactory()
    old = cohort.programme
    new = programme_update(programme=old, by=facilitator, summary="Clearer")
    with pytest.raises(NotAllowed, match="information pack has nothing yet"):
        programme_publish(programme=new, by=facilitator)
    pack = new.information_packs.get()
    information_pack_update(
        pack=pack,
        by=facilitator,
        title=pack.title,
        introduction="",
        sections={topic: (topic, "Some words.") for topic in InformationPackSection.Topic.values},
    )
    programme_publish(programme=new, by=facilitator)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (Programme.Status.RETIRED, Programme.Status.PUBLISHED)
    cohort.refresh_from_db()
    assert cohort.programme_id == old.pk


def test_publish_refuses_an_agenda_that_does_not_add_up(facilitator) -> None:
    programme = programme_create(by=facilitator, name="Half written", weekly_session_count=2, booster_offsets_weeks=[])
    SessionPlan.objects.filter(programme=programme, number=2).first().agenda_items.update(minutes=100)
    with pytest.raises(NotAllowed) as refused:
        programme_publish(programme=programme, by=facilitator)
    assert "Week 2: the agenda adds up to 100 of 120 minutes" in refused.value.message
    programme.refresh_from_db()
    assert programme.status == Programme.Status.DRAFT


def test_retire_keeps_the_cohort_on_its_version(facilitator) -> None:
    cohort = CohortFactory()
    programme_retire(programme=cohort.programme, by=facilitator)
    cohort.refresh_from_db()
    assert cohort.programme.status == Programme.Status.RETIRED
    assert cohort.programme.retired_at is not None


def test_pack_edit_on_used_programme_makes_new_pack_version_and_keeps_the_old(facilitator) -> None:
    cohort = CohortFactory()
    pack = cohort.programme.information_packs.get()
    saved = information_pack_update(
        pack=pack,
        by=facilitator,
        title="Before you join us",
        introduction="Welcome.",
        sections={"who_for": ("Who it is for", "Anyone who cares for others at work.")},
    )
    assert saved.pk != pack.pk
    assert saved.version == pack.version + 1
    assert saved.programme.version == 2
    pack.refresh_from_db()
    assert pack.title == "Before you join"
    assert pack.sections.get().body == "Staff who care for others."
    assert InformationPack.objects.count() == 2


def test_lowering_the_largest_group_below_the_default_is_refused(facilitator) -> None:
    programme = programme_with_plans(status="draft")
    with pytest.raises(DomainError, match="cannot be larger"):
        programme_update(programme=programme, by=facilitator, max_capacity=5)
    programme.refresh_from_db()
    assert programme.max_capacity == 12


def test_service_refuses_a_javascript_link(facilitator) -> None:
    plan = programme_with_plans(status="draft").session_plans.first()
    with pytest.raises(DomainError, match="web address"):
        session_plan_update(
            plan=plan,
            by=facilitator,
            values={},
            agenda=[{"title": "All", "minutes": 120}],
            materials=[MaterialChange(id=None, values={"title": "Bad", "url": "javascript:alert(1)"})],
        )
    assert not plan.materials.exists()


def test_material_of_another_plan_cannot_be_edited_through_this_one(facilitator) -> None:
    programme = programme_with_plans(status="draft")
    week1, week2 = programme.session_plans.filter(kind="weekly").order_by("number")[:2]
    other = week2.materials.create(title="Week 2 handout", content="Two")
    with pytest.raises(NotAllowed):
        session_plan_update(
            plan=week1,
            by=facilitator,
            values={},
            agenda=[{"title": "All", "minutes": 120}],
            materials=[MaterialChange(id=other.pk, values={"title": "Hijacked"})],
        )
    other.refresh_from_db()
    assert other.title == "Week 2 handout"


def test_editing_an_existing_material_in_a_used_programme_edits_the_copy(facilitator) -> None:
    cohort = CohortFactory()
    plan = cohort.programme.session_plans.get(kind="weekly", number=1)
    original = plan.materials.create(title="Handout", content="Old words")
    saved = session_plan_update(
        plan=plan,
        by=facilitator,
        values={},
        agenda=[{"title": "All", "minutes": 120}],
        materials=[MaterialChange(id=original.pk, values={"content": "New words"})],
    )
    original.refresh_from_db()
    assert original.content == "Old words"
    copy = saved.materials.get()
    assert (copy.title, copy.content) == ("Handout", "New words")
    assert copy.pk != original.pk
