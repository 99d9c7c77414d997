"""Home pages over HTTP for each role: constant query counts, materials released, apologies, early warnings."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from measures.models import Response, RiskAlert
from measures.services import measures_load_builtin
from programmes.models import SessionPlan
from sessions.models import Attendance
from sessions.selectors.places import participant_groups
from sessions.services.group_sessions import group_session_cancel
from tests.factories import EnrolmentFactory
from tests.measures.builders import schedule
from tests.support.cohort_pages import measured, running_cohort

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]


# --- Constant query counts ------------------------------------------------

# Each signed-in page counts one query for the notification bell.
# Participant home: every place of theirs (1, which groups, groups left, check-in prompts and the questionnaires
# due all work from), timeline with apologies, materials, feed, cohorts left (timeline, materials: 2), check-in
# offers, check-in prompts (2: weekly sessions, check-ins done), reminder choices, check-ins panel (1), talk panel
# (3), protected time and lines (2), questionnaires due (3: session starts, schedules, own responses), and the
# page cache's scopes (the person's cohorts and programmes, read before the page: 1). That is the first visit
# (cold); the next one reads the page from the cache: the session and the user only (warm).
PARTICIPANT_HOME_QUERIES = 21
PARTICIPANT_HOME_WARM_QUERIES = 2
# Facilitator home (17 before the cohorts' sessions were read once): session, user, bell, the page cache's scopes
# (the facilitator's cohorts: 1), cohorts, their sessions (next, progress, last two held, sessions ahead, cover),
# apologies and absences together, risk alerts (2 when there are some: their ids, then with their related rows),
# offers not taken up (1 when there are none), calendar feed, check-ins panel (3 + one access-log insert). Cover
# adds two when a session needs it. That is the first visit (cold); the next one reads "Needs you", cover and the
# cohorts from the cache and the rest anew: session, user, risk alerts (2), offers, feed, check-ins panel (3 + the
# access-log insert) (warm).
FACILITATOR_HOME_QUERIES = 15
FACILITATOR_HOME_WARM_QUERIES = 10


def without_csrf_tokens(html: str) -> str:
    """``html`` with each CSRF token (masked anew for every use) blanked."""
    return re.sub(r"[A-Za-z0-9]{64}", "", html)


def with_questionnaires(cohort, people) -> None:
    """PHQ-9 scheduled on the cohort's programme; each person has a baseline draft and a risk alert open."""
    phq9 = next(measure for measure, _state in measures_load_builtin() if measure.code == "phq-9")
    schedule(cohort.programme, {"phq-9": phq9}, codes=("phq-9",))
    item = phq9.items.get(number=9)
    now = timezone.now()
    for person in people:
        response = Response.objects.create(
            measure=phq9, participant=person, cohort=cohort, time_point="baseline", started_at=now
        )
        RiskAlert.objects.create(response=response, item=item, created_at=now)


@pytest.mark.parametrize("size", [8, 40])
def test_participant_home_runs_constant_queries(client, django_assert_num_queries, size):
    cohort = running_cohort(size)
    person = cohort.enrolments.first().participant
    with_questionnaires(cohort, [person])
    client.force_login(person)
    url = reverse("facilitation:participant_home")
    cold = measured(client, url, PARTICIPANT_HOME_QUERIES, django_assert_num_queries)
    warm = measured(client, url, PARTICIPANT_HOME_WARM_QUERIES, django_assert_num_queries)
    body = warm.content.decode()
    assert without_csrf_tokens(body) == without_csrf_tokens(cold.content.decode())  # the same page, from the cache
    assert "Week 6 theme" in body  # the next session's title
    assert "Questionnaires for you" in body and "Started: carry on" in body  # the due list
    assert "Three soothing breaths a day." in body
    assert "Facilitator notes" not in body


@pytest.mark.parametrize("size", [8, 40])
def test_facilitator_home_runs_constant_queries(client, django_assert_num_queries, size):
    cohort = running_cohort(size)
    other = running_cohort(size)
    facilitator = cohort.facilitators.first()
    other.facilitators.add(facilitator)
    with_questionnaires(cohort, [place.participant for place in cohort.enrolments.all()[: size // 4]])
    client.force_login(facilitator)
    url = reverse("facilitation:facilitator_home")
    cold = measured(client, url, FACILITATOR_HOME_QUERIES, django_assert_num_queries).content.decode()
    warm = measured(client, url, FACILITATOR_HOME_WARM_QUERIES, django_assert_num_queries).content.decode()
    for body in (cold, warm):
        assert f"{size} of {max(size, 8)} places filled" in body
        assert body.count("Record what you did") == size // 4  # each open risk alert
    assert without_csrf_tokens(warm) == without_csrf_tokens(cold)


def test_participant_home_releases_materials_by_rule():

    cohort = running_cohort(2, held=2)
    person = cohort.enrolments.first().participant
    titles = {m.title for m in participant_groups(user=person)[0].materials}
    # On enrolment: every plan; after the session: weeks 1-2 (held); at week start: weeks 1-3 (week 3 is this week).
    assert "Week 12 theme on_enrolment" in titles
    assert {"Week 1 theme after_session", "Week 2 theme after_session"} <= titles
    assert "Week 3 theme after_session" not in titles
    assert "Week 3 theme week_start" in titles
    assert "Week 4 theme week_start" not in titles
    assert "Facilitator notes" not in titles


def test_home_practice_is_this_weeks_and_stops_a_week_after_the_last_session(client):

    cohort = running_cohort(2, held=2)
    person = cohort.enrolments.first().participant
    latest = cohort.group_sessions.filter(starts_at__lte=timezone.now()).order_by("-starts_at").first()
    SessionPlan.objects.filter(pk=latest.session_plan_id).update(home_practice="The latest week's practice.")
    client.force_login(person)
    body = client.get(reverse("facilitation:participant_home")).content.decode()
    assert "The latest week&#x27;s practice." in body and "Three soothing breaths a day." not in body
    last = cohort.group_sessions.order_by("-starts_at").first()
    with time_machine.travel(last.starts_at + datetime.timedelta(days=3)):
        client.force_login(person)
        assert "Three soothing breaths a day." in client.get(reverse("facilitation:participant_home")).content.decode()
    with time_machine.travel(last.starts_at + datetime.timedelta(weeks=6)):
        client.force_login(person)
        body = client.get(reverse("facilitation:participant_home")).content.decode()
    assert "Materials by week" in body
    assert "home practice" not in body and "Three soothing breaths a day." not in body


def test_participant_home_shows_timeline_pending_prompt_and_extra_panel_spot(client):
    cohort = running_cohort(2, held=2)
    session = cohort.group_sessions.get(number=8)
    group_session_cancel(group_session=session, reason="Service closed for training", by=cohort.facilitators.first())
    person = cohort.enrolments.first().participant
    invited = EnrolmentFactory(participant=person)
    client.force_login(person)
    body = client.get(reverse("facilitation:participant_home")).content.decode()
    assert "Service closed for training" in body
    assert reverse("sessions:enrolment_pack", kwargs={"pk": invited.pk}) in body
    assert "Get my calendar address" in body


def test_cant_make_it_sends_apologies_that_facilitators_see(client):
    cohort = running_cohort(2, held=2)
    person = cohort.enrolments.first().participant
    upcoming = cohort.group_sessions.get(number=4)
    client.force_login(person)
    response = client.post(reverse("sessions:apologies_send", kwargs={"pk": upcoming.pk}))
    assert response.status_code == 302
    assert Attendance.objects.get(group_session=upcoming, participant=person).status == "apologies"
    client.force_login(cohort.facilitators.first())
    body = client.get(reverse("facilitation:facilitator_home")).content.decode()
    assert f"{person.first_name} ({cohort.name}) sent apologies" in body


def test_early_warning_after_two_consecutive_absences_without_apologies(client):
    cohort = running_cohort(3, held=3)
    places = list(cohort.enrolments.select_related("participant"))
    last_two = cohort.group_sessions.filter(number__in=[2, 3])
    Attendance.objects.filter(group_session__in=last_two, participant=places[0].participant).update(status="absent")
    Attendance.objects.filter(group_session__in=last_two, participant=places[1].participant).update(status="apologies")
    Attendance.objects.filter(
        group_session__number=3, group_session__cohort=cohort, participant=places[2].participant
    ).update(status="absent")
    client.force_login(cohort.facilitators.first())
    body = client.get(reverse("facilitation:facilitator_home")).content.decode()
    assert body.count('class="early-warning"') == 1
    assert f"{places[0].participant.first_name} ({cohort.name}) missed the last two sessions" in body
    assert "check-in" in body
