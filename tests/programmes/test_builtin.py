"""The built-in 12-week programme: complete plans whose agendas add up, and a full information pack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from core.demo import DemoContext
from programmes import demo
from programmes.models import AgendaItem, InformationPackSection, Material, Programme, SessionPlan
from programmes.selectors import programme_problems
from programmes.services.importing import programme_load_builtin

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


def test_builtin_file_loads_twelve_weekly_and_two_booster_plans_whose_agendas_add_up() -> None:
    programme, created = programme_load_builtin()
    assert created
    assert programme.status == Programme.Status.PUBLISHED
    weekly = programme.session_plans.filter(kind=SessionPlan.Kind.WEEKLY)
    boosters = programme.session_plans.filter(kind=SessionPlan.Kind.BOOSTER)
    assert sorted(weekly.values_list("number", flat=True)) == list(range(1, 13))
    assert sorted(boosters.values_list("number", flat=True)) == [1, 2]
    assert programme.booster_offsets_weeks == [4, 12]
    for plan in programme.session_plans.prefetch_related("agenda_items"):
        assert sum(item.minutes for item in plan.agenda_items.all()) == programme.session_minutes, plan
        assert plan.agenda_items.count() >= 5, plan
    assert programme_problems(programme=programme) == []


def test_every_builtin_plan_is_written_out_in_full() -> None:
    programme, _ = programme_load_builtin()
    for plan in programme.session_plans.all():
        for field in ("aims", "opening_practice", "main_practice", "home_practice", "facilitator_guidance"):
            assert len(getattr(plan, field).split()) >= 15, (plan, field)
        if plan.intensity == SessionPlan.Intensity.HIGH:
            assert "check-in" in plan.intensity_preparation.lower(), plan
        assert plan.materials.exists(), plan
    high = set(programme.session_plans.filter(intensity="high").values_list("number", flat=True))
    assert {7, 8, 9} <= high
    assert Material.objects.filter(session_plan__programme=programme, audience="facilitators").exists()
    assert {m.release for m in Material.objects.filter(session_plan__programme=programme)} == set(
        Material.Release.values
    )


def test_builtin_pack_covers_all_nine_topics() -> None:
    programme, _ = programme_load_builtin()
    pack = programme.information_packs.get()
    assert pack.published_at is not None
    sections = {s.topic: s for s in pack.sections.all()}
    assert set(sections) == set(InformationPackSection.Topic.values)
    assert all(len(s.body.split()) >= 60 for s in sections.values())
    assert "Staff wellbeing group" in sections["confidentiality"].body


def test_load_programme_command_is_idempotent() -> None:
    call_command("load_programme")
    counts = (Programme.objects.count(), SessionPlan.objects.count(), AgendaItem.objects.count())
    call_command("load_programme")
    assert (Programme.objects.count(), SessionPlan.objects.count(), AgendaItem.objects.count()) == counts
    assert counts[:2] == (1, 14)


def test_demo_seed_loads_the_published_programme_once() -> None:
    ctx = DemoContext()
    demo.seed(ctx)
    demo.seed(ctx)
    assert ctx.objects["programme"].status == Programme.Status.PUBLISHED
    assert Programme.objects.count() == 1


def test_builtin_pack_names_only_buttons_that_participants_really_see() -> None:
    """The pack tells people which button to press; each quoted name must exist on a participant page."""

    programme, _ = programme_load_builtin()
    sections = {s.topic: s.body for s in programme.information_packs.get().sections.all()}
    quoted = set()
    for topic in ("protected_time", "leaving"):
        quoted |= set(re.findall(r'"([^"]+)"', sections[topic]))
    quoted.discard(programme.neutral_label)
    assert {"Check and send", "Send to my line manager", "Withdraw my place"} <= quoted
    templates = "".join(p.read_text() for p in (Path(settings.BASE_DIR) / "templates" / "facilitation").rglob("*.html"))
    assert [name for name in sorted(quoted) if f'"{name}"' not in templates] == []


def test_builtin_pack_says_what_support_exists_outside_the_group() -> None:
    programme, _ = programme_load_builtin()
    emotional = programme.information_packs.get().sections.get(topic="emotional").body
    for support in ("occupational health", "employee assistance", "GP", "Samaritans", "116 123", "988", "999"):
        assert support in emotional, support


def test_handouts_named_in_a_plan_exist_under_that_name() -> None:
    """A facilitator told to have "the X handout" ready can find a material called X."""

    programme, _ = programme_load_builtin()
    titles = {m.title.lower() for m in Material.objects.filter(session_plan__programme=programme)}
    named = []
    for plan in programme.session_plans.all():
        text = f"{plan.intensity_preparation} {plan.facilitator_guidance}"
        named += re.findall(r'"([^"]+)" handout', text)
    assert named
    assert [name for name in named if name.lower() not in titles] == []


def test_the_heavier_medium_weeks_say_what_to_prepare() -> None:
    programme, _ = programme_load_builtin()
    plans = {p.number: p for p in programme.session_plans.filter(kind=SessionPlan.Kind.WEEKLY)}
    for week in (5, 6, 10, 12):
        assert "check-in" in plans[week].intensity_preparation, week
