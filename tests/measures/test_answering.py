"""Answering over HTTP: what is due, one question a screen or all on one page, saved as you go, submit, correct."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from measures.models import Response
from measures.selectors import responses_due_for
from sessions.models import GroupSession
from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory, enrol
from tests.measures.builders import scheduled_cohort

pytestmark = pytest.mark.measures


@pytest.fixture
def group(measures, facilitator):
    cohort, (person, other) = scheduled_cohort(measures, facilitators=[facilitator], participants=2)
    return cohort, person, other


def scheduled_id(cohort, measures, code="phq-9", time_point="baseline") -> int:
    return cohort.programme.scheduled_measures.get(measure=measures[code], time_point=time_point).pk


def week_start(cohort, number: int, kind: str = "weekly") -> datetime.datetime:
    return GroupSession.objects.get(cohort=cohort, kind=kind, number=number).starts_at


# --- What is due ----------------------------------------------------------------------------------


def test_baseline_is_due_before_week_one_and_closes_when_it_starts(group, measures):
    cohort, person, _other = group
    due = responses_due_for(person)
    assert [(d.measure.code, d.time_point) for d in due] == [("phq-9", "baseline"), ("gad-7", "baseline")]
    after = week_start(cohort, 1) + datetime.timedelta(minutes=1)
    assert responses_due_for(person, now=after) == []


def test_mid_and_end_open_at_their_sessions_for_28_days(group, measures):
    cohort, person, _other = group
    week6 = week_start(cohort, 6)
    assert {d.time_point for d in responses_due_for(person, now=week6 - datetime.timedelta(hours=1))} == set()
    assert {d.time_point for d in responses_due_for(person, now=week6)} == {"mid"}
    assert responses_due_for(person, now=week6 + datetime.timedelta(days=28)) == []
    assert {d.time_point for d in responses_due_for(person, now=week_start(cohort, 12))} == {"end"}


def test_a_booster_is_due_from_its_session(group, measures):
    cohort, person, _other = group
    start = week_start(cohort, 12) + datetime.timedelta(days=40)
    GroupSession.objects.create(
        cohort=cohort,
        session_plan=cohort.programme.session_plans.get(kind="booster", number=1),
        kind="booster",
        number=1,
        planned_date=start.date(),
        local_date=start.date(),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    assert {d.time_point for d in responses_due_for(person, now=start)} == {"booster-1"}


def test_nothing_is_due_without_a_place_and_the_list_is_constant_in_queries(group, measures, django_assert_num_queries):
    _cohort, person, _other = group
    assert responses_due_for(ParticipantFactory()) == []
    with django_assert_num_queries(5):
        responses_due_for(person)


def test_the_due_list_partial_links_to_start_then_to_carry_on(client, group, measures):
    cohort, person, _other = group
    client.force_login(person)
    page = client.get(reverse("measures:my_scores")).content.decode()
    begin = reverse("measures:response_begin", args=[cohort.pk, scheduled_id(cohort, measures)])
    assert begin in page
    client.post(begin)
    draft = Response.objects.get(participant=person, measure=measures["phq-9"])
    page = client.get(reverse("measures:my_scores")).content.decode()
    assert reverse("measures:response_answer", args=[draft.pk]) in page
    assert "Started: carry on" in page


# --- Answering --------------------------------------------------------------------------------------


def test_one_question_a_screen_with_progress_saved_as_you_go(client, group, measures):
    cohort, person, _other = group
    client.force_login(person)
    client.post(reverse("measures:response_begin", args=[cohort.pk, scheduled_id(cohort, measures)]))
    response = Response.objects.get(participant=person)
    url = reverse("measures:response_answer", args=[response.pk])
    first = client.get(url).content.decode()
    assert "Question 1 of 9" in first
    assert "<legend" in first and 'for="item_1_0"' in first
    step = client.post(url, {"q": 1, "item_1": 2, "go": "next"})
    assert step["Location"].endswith("?q=2")
    assert response.answers.get().value == 2
    client.post(url, {"q": 2, "item_2": 1, "go": "next"})
    assert "Question 3 of 9" in client.get(url + "?q=3").content.decode()
    # Stopping and coming back later carries on at the first unanswered question.
    assert "Question 3 of 9" in client.get(url).content.decode()
    for number in range(3, 10):
        last = client.post(url, {"q": number, f"item_{number}": 0, "go": "next"})
    assert last["Location"] == reverse("measures:response_review", args=[response.pk])
    review = client.get(last["Location"]).content.decode()
    assert "Send my answers" in review
    done = client.post(reverse("measures:response_submit", args=[response.pk]))
    assert done["Location"] == reverse("measures:response_done", args=[response.pk])
    response.refresh_from_db()
    assert response.is_submitted
    assert response.scores.get().value == 3


def test_all_questions_on_one_page(client, group, measures):
    cohort, person, _other = group
    client.force_login(person)
    client.post(reverse("measures:response_begin", args=[cohort.pk, scheduled_id(cohort, measures, "gad-7")]))
    response = Response.objects.get(participant=person)
    url = reverse("measures:response_answer", args=[response.pk])
    page = client.get(url + "?all=1").content.decode()
    assert page.count("<fieldset") == 7
    posted = client.post(url, {"all": "1", **{f"item_{n}": 1 for n in range(1, 8)}})
    assert posted["Location"] == reverse("measures:response_review", args=[response.pk])
    assert response.answers.count() == 7


def test_an_answer_outside_the_options_is_refused_and_not_stored(client, group, measures):
    cohort, person, _other = group
    client.force_login(person)
    client.post(reverse("measures:response_begin", args=[cohort.pk, scheduled_id(cohort, measures)]))
    response = Response.objects.get(participant=person)
    page = client.post(reverse("measures:response_answer", args=[response.pk]), {"q": 1, "item_1": 7})
    assert page.status_code == 200
    assert "Choose one of the answers offered." in page.content.decode()
    assert response.answers.count() == 0


def test_a_submitted_response_is_immutable_and_a_correction_is_a_new_linked_response(client, group, measures):
    cohort, person, _other = group
    client.force_login(person)
    client.post(reverse("measures:response_begin", args=[cohort.pk, scheduled_id(cohort, measures)]))
    response = Response.objects.get(participant=person)
    url = reverse("measures:response_answer", args=[response.pk])
    client.post(url, {"all": "1", **{f"item_{n}": 1 for n in range(1, 10)}})
    client.post(reverse("measures:response_submit", args=[response.pk]))
    again = client.post(url, {"q": 1, "item_1": 3})
    assert again["Location"] == reverse("measures:response_done", args=[response.pk])
    assert response.answers.get(item__number=1).value == 1
    second = client.post(reverse("measures:response_submit", args=[response.pk]))
    assert second.status_code == 302
    assert Response.objects.filter(participant=person).count() == 1
    corrected = client.post(reverse("measures:response_correct", args=[response.pk]))
    correction = Response.objects.get(corrects=response)
    assert corrected["Location"].startswith(reverse("measures:response_answer", args=[correction.pk]))
    assert correction.answers.count() == 9


def test_not_due_is_refused(client, group, measures):
    cohort, person, _other = group
    client.force_login(person)
    assert (
        client.get(
            reverse("measures:response_begin", args=[cohort.pk, scheduled_id(cohort, measures, "phq-9", "mid")])
        ).status_code
        == 404
    )
    with time_machine.travel(week_start(cohort, 2)):
        client.force_login(person)
        assert (
            client.post(
                reverse("measures:response_begin", args=[cohort.pk, scheduled_id(cohort, measures)])
            ).status_code
            == 404
        )
    assert Response.objects.count() == 0


# --- Who sees what ----------------------------------------------------------------------------------


def test_each_role_on_the_participant_pages(client, group, measures, facilitator, service_lead):
    cohort, person, other = group
    client.force_login(person)
    client.post(reverse("measures:response_begin", args=[cohort.pk, scheduled_id(cohort, measures)]))
    response = Response.objects.get(participant=person)
    urls = [
        reverse("measures:response_begin", args=[cohort.pk, scheduled_id(cohort, measures)]),
        reverse("measures:response_answer", args=[response.pk]),
        reverse("measures:response_review", args=[response.pk]),
        reverse("measures:response_done", args=[response.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code in (200, 302), url
    stranger = ParticipantFactory()
    manager = ManagerFactory()
    # Another participant: not theirs (404); anyone who is not a participant: not their role's page (403).
    for user, status in ((other, 404), (stranger, 404), (facilitator, 403), (FacilitatorFactory(), 403),
                         (manager, 403), (service_lead, 403)):  # fmt: skip
        client.force_login(user)
        for url in urls[1:]:
            assert client.get(url).status_code == status, (user, url)
    # Another participant's place in another cohort does not open this cohort's questionnaires.
    client.force_login(stranger)
    assert client.get(urls[0]).status_code == 404
    client.force_login(manager)
    assert client.get(reverse("measures:my_scores")).status_code == 403
    # A participant whose place is withdrawn no longer sees the questionnaire.
    place = enrol(cohort)
    place.status, place.place_number = "withdrawn", None
    place.save(update_fields=["status", "place_number"])
    client.force_login(place.participant)
    assert client.get(urls[0]).status_code == 404


def test_the_answer_page_works_at_phone_width_without_script(client, group, measures):
    cohort, person, _other = group
    client.force_login(person)
    client.post(reverse("measures:response_begin", args=[cohort.pk, scheduled_id(cohort, measures)]))
    response = Response.objects.get(participant=person)
    page = client.get(reverse("measures:response_answer", args=[response.pk])).content.decode()
    assert "<script" not in page.split("<main", 1)[-1].split("</main>")[0]
    assert 'type="radio"' in page and "<label" in page
