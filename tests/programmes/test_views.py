"""The library screens over HTTP: create, edit (as a new version when in use), duplicate, publish, pack."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programmes.models import InformationPackSection, Programme, SessionPlan
from programmes.services.importing import programme_load_builtin
from tests.factories import CohortFactory, EnrolmentFactory, cohort_with_sessions, programme_with_plans

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]

SETTINGS = {
    "name": "Compassion at work, 8 weeks",
    "summary": "Shorter course.",
    "audience": "",
    "weekly_session_count": "8",
    "session_minutes": "90",
    "default_capacity": "8",
    "max_capacity": "10",
    "booster_offsets_weeks": "4, 12",
    "neutral_label": "Staff wellbeing group",
}


def test_create_makes_a_draft_with_a_plan_per_week_and_booster(client, facilitator) -> None:
    client.force_login(facilitator)
    response = client.post("/programmes/new/", SETTINGS)
    programme = Programme.objects.get()
    assert response["Location"] == programme.get_absolute_url()
    assert programme.status == Programme.Status.DRAFT
    assert programme.created_by == facilitator
    assert programme.session_plans.filter(kind="weekly").count() == 8
    assert programme.session_plans.filter(kind="booster").count() == 2
    assert programme.information_packs.get().sections.count() == 9


def test_create_names_the_bad_field(client, facilitator) -> None:
    client.force_login(facilitator)
    bad = {"booster_offsets_weeks": "4, soon", "default_capacity": "11"}
    response = client.post("/programmes/new/", SETTINGS | bad)
    page = response.content.decode()
    assert "“soon” is not a number of weeks" in page
    assert "cannot be more than the largest group size (10)" in page
    assert not Programme.objects.exists()


def test_editing_a_used_programme_over_http_says_a_new_version_was_made(client, facilitator) -> None:
    cohort = CohortFactory()
    old = cohort.programme
    client.force_login(facilitator)
    data = SETTINGS | {"weekly_session_count": "12", "session_minutes": "120", "booster_offsets_weeks": "4, 12"}
    response = client.post(f"/programmes/{old.pk}/edit/", data, follow=True)
    new = Programme.objects.get(family=old.family, version=2)
    assert response.redirect_chain[-1][0] == new.get_absolute_url()
    assert "saved as version 2, a draft" in response.content.decode()
    old.refresh_from_db()
    assert old.name != SETTINGS["name"]


def test_duplicate_and_publish_over_http(client, service_lead) -> None:
    builtin, _ = programme_load_builtin()
    client.force_login(service_lead)
    response = client.post(f"/programmes/{builtin.pk}/duplicate/")
    copy = Programme.objects.exclude(pk=builtin.pk).get()
    assert response["Location"] == f"/programmes/{copy.pk}/edit/"
    client.post(f"/programmes/{copy.pk}/publish/")
    copy.refresh_from_db()
    assert copy.status == Programme.Status.PUBLISHED
    builtin.refresh_from_db()
    assert builtin.status == Programme.Status.PUBLISHED  # another family: untouched


def test_publishing_an_incomplete_programme_explains_why(client, facilitator) -> None:
    programme = programme_with_plans(status="draft")
    client.force_login(facilitator)
    response = client.post(f"/programmes/{programme.pk}/publish/", follow=True)
    assert "not ready to publish" in response.content.decode()
    programme.refresh_from_db()
    assert programme.status == Programme.Status.DRAFT


def test_pack_preview_shows_every_section_as_participants_see_it(client, facilitator) -> None:
    programme, _ = programme_load_builtin()
    client.force_login(facilitator)
    page = client.get(f"/programmes/{programme.pk}/pack/").content.decode()
    for section in InformationPackSection.objects.filter(pack__programme=programme):
        assert section.heading in page
    assert '<h1 class="h3" id="pack-title-' in page


def test_pack_edit_requires_every_topic(client, facilitator) -> None:
    programme = programme_with_plans(status="draft")
    client.force_login(facilitator)
    data = {"title": "Before you join", "introduction": ""}
    for topic in InformationPackSection.Topic.values:
        data[f"{topic}_heading"] = topic
        data[f"{topic}_body"] = "Words." if topic != "leaving" else ""
    response = client.post(f"/programmes/{programme.pk}/pack/edit/", data)
    assert "Write something for this topic" in response.content.decode()
    assert programme.information_packs.get().sections.count() == 1
    data["leaving_body"] = "You can leave at any time."
    response = client.post(f"/programmes/{programme.pk}/pack/edit/", data)
    assert response.status_code == 302
    assert programme.information_packs.get().sections.count() == 9


def test_every_builtin_plan_page_renders_for_a_facilitator(client, facilitator, django_assert_max_num_queries) -> None:
    programme, _ = programme_load_builtin()
    client.force_login(facilitator)
    for plan in programme.session_plans.all():
        with django_assert_max_num_queries(8):
            page = client.get(plan.get_absolute_url()).content.decode()
        assert plan.title in page
        assert "Home practice" in page
        assert "css/programmes.css" in page  # the print rules for plans


def test_participant_reads_the_pack_with_the_previews_styles_and_one_heading(client) -> None:
    """The participant's pack page matches the preview: the same print rules and the pack title as its h1."""

    place = EnrolmentFactory(cohort=cohort_with_sessions())
    client.force_login(place.participant)
    page = client.get(reverse("sessions:enrolment_pack", kwargs={"pk": place.pk})).content.decode()
    assert "css/programmes.css" in page
    assert page.count("<h1") == 1
    assert 'id="pack-title-' in page


def test_running_a_session_shows_the_plans_preparation_at_any_intensity(client) -> None:
    """What to prepare reaches the facilitator on the day, as a list, for a medium week too."""

    cohort = cohort_with_sessions()
    SessionPlan.objects.filter(programme=cohort.programme, kind="weekly", number=1).update(
        intensity="medium", intensity_preparation="- Have check-in slots open this fortnight."
    )
    SessionPlan.objects.filter(programme=cohort.programme, kind="weekly", number=2).update(
        intensity="high", intensity_preparation="- Both facilitators present.\n- Offer a check-in afterwards."
    )
    client.force_login(cohort.facilitators.first())
    first, second = (cohort.group_sessions.get(kind="weekly", number=n) for n in (1, 2))
    page = client.get(reverse("sessions:session_run", kwargs={"pk": first.pk})).content.decode()
    assert "<li>Have check-in slots open this fortnight.</li>" in page
    page = client.get(reverse("sessions:session_run", kwargs={"pk": second.pk})).content.decode()
    assert "<li>Both facilitators present.</li>" in page


def test_boosters_read_as_how_many_and_when(client, facilitator) -> None:
    programme = programme_with_plans(boosters=2)
    programme.booster_offsets_weeks = [4, 12]
    programme.save(update_fields=["booster_offsets_weeks"])
    client.force_login(facilitator)
    page = client.get(f"/programmes/{programme.pk}/").content.decode()
    assert "2 boosters: 4 and 12 weeks after the last weekly session" in page
    assert "4, 12 weeks" not in page


def test_retire_asks_first_and_only_a_post_retires(client, service_lead) -> None:
    programme = programme_with_plans()
    client.force_login(service_lead)
    detail = client.get(f"/programmes/{programme.pk}/").content.decode()
    assert f'href="/programmes/{programme.pk}/retire/"' in detail
    confirm = client.get(f"/programmes/{programme.pk}/retire/")
    assert confirm.status_code == 200
    assert "Cohorts already using it carry on unchanged" in confirm.content.decode()
    assert "Yes, retire it" in confirm.content.decode()
    programme.refresh_from_db()
    assert programme.status == Programme.Status.PUBLISHED
    response = client.post(f"/programmes/{programme.pk}/retire/")
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == Programme.Status.RETIRED
