"""Two facilitators where the programme says so (item 6): derived cover warnings on the homes."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from programmes.models import SessionPlan
from programmes.services.importing import programme_load_builtin
from sessions.models import Cohort
from sessions.selectors.cover import cover_warnings
from sessions.services.checkins import blocked_date_add
from sessions.services.cohorts import cohort_update
from tests.factories import (
    FacilitatorFactory,
    ManagerFactory,
    ParticipantFactory,
    ServiceLeadFactory,
    cohort_with_sessions,
    enrol,
    programme_with_plans,
)

pytestmark = [pytest.mark.safety, pytest.mark.django_db]


def heavy_programme():
    """A programme whose weeks 7 and 8 need two facilitators."""
    programme = programme_with_plans()
    SessionPlan.objects.filter(programme=programme, kind="weekly", number__in=[7, 8]).update(
        intensity="high", needs_two_facilitators=True
    )
    return programme


def cohort_led_by(*facilitators, **kwargs) -> Cohort:
    return cohort_with_sessions(programme=heavy_programme(), facilitators=list(facilitators), **kwargs)


def test_the_builtin_programme_needs_two_facilitators_in_its_high_intensity_weeks():
    programme, _created = programme_load_builtin()
    plans = programme.session_plans.filter(kind="weekly")
    assert set(plans.filter(needs_two_facilitators=True).values_list("number", flat=True)) == set(
        plans.filter(intensity="high").values_list("number", flat=True)
    )
    assert plans.filter(needs_two_facilitators=True).count() == 3


def test_one_facilitator_warns_for_each_session_that_needs_two():
    solo = FacilitatorFactory()
    cohort = cohort_led_by(solo)
    [warning] = cover_warnings()
    assert warning.cohort == cohort
    assert [item.group_session.number for item in warning.sessions] == [7, 8]
    assert warning.sessions[0].free == [solo]


def test_two_facilitators_need_no_warning_until_one_blocks_that_date():
    first, second = FacilitatorFactory(first_name="Ana"), FacilitatorFactory(first_name="Ben")
    cohort = cohort_led_by(first, second)
    assert cover_warnings() == []
    week_eight = cohort.group_sessions.get(number=8)
    blocked_date_add(facilitator=second, day=week_eight.local_date, reason="Annual leave")
    [warning] = cover_warnings(facilitator=first)
    assert [(i.group_session.number, i.free, i.away) for i in warning.sessions] == [(8, [first], [second])]


def test_a_co_facilitator_leaving_warns_until_cover_is_named():
    first, second, third = FacilitatorFactory(), FacilitatorFactory(), FacilitatorFactory()
    cohort = cohort_led_by(first, second)
    same = {"cohort": cohort, "name": cohort.name, "venue": "Room 2", "video_link": "", "capacity": 8, "by": first}
    cohort_update(**same, facilitators=[first])
    assert len(cover_warnings()) == 1
    cohort_update(**same, facilitators=[first, third])
    assert cover_warnings() == []
    User.objects.filter(pk=third.pk).update(is_active=False)  # left the service
    assert len(cover_warnings()) == 1


def test_sessions_already_held_or_of_ended_cohorts_do_not_warn():
    start = datetime.date.today() - datetime.timedelta(weeks=10)
    cohort_led_by(FacilitatorFactory(), start_date=start, weekday=start.weekday(), holiday_region="")
    cohort_led_by(FacilitatorFactory(), status="cancelled")
    assert cover_warnings() == []


def test_creating_a_cohort_with_one_facilitator_says_so_at_once(client):
    solo = FacilitatorFactory()
    programme = heavy_programme()
    client.force_login(solo)
    start = datetime.date.today() + datetime.timedelta(days=14)
    response = client.post(
        reverse("sessions:cohort_create"),
        {
            "programme": programme.pk,
            "name": "Thursday group",
            "facilitators": [solo.pk],
            "start_date": start.isoformat(),
            "start_time": "13:00",
            "time_zone": "Europe/London",
            "holiday_region": "",
            "capacity": 8,
            "venue": "Room 2",
            "video_link": "",
            "status": "planning",
        },
        follow=True,
    )
    assert "Week 7, Week 8 need two facilitators" in response.content.decode()


def test_blocking_a_date_that_falls_on_such_a_session_says_so(client):
    first, second = FacilitatorFactory(), FacilitatorFactory()
    cohort = cohort_led_by(first, second)
    client.force_login(second)
    day = cohort.group_sessions.get(number=7).local_date
    response = client.post(
        reverse("sessions:availability_add", args=["blocked"]), {"day": day.isoformat(), "reason": ""}, follow=True
    )
    assert "need two facilitators" in response.content.decode()


def test_the_warning_shows_on_the_facilitator_and_service_lead_homes_only(client):
    solo = FacilitatorFactory(first_name="Sol")
    cohort = cohort_led_by(solo)
    place = enrol(cohort)
    client.force_login(solo)
    assert "Cover needed" in client.get(reverse("facilitation:facilitator_home")).content.decode()
    client.force_login(ServiceLeadFactory())
    body = client.get(reverse("facilitation:lead_home")).content.decode()
    assert "Cover needed" in body and cohort.name in body
    client.force_login(FacilitatorFactory())  # not this cohort's facilitator
    assert "Cover needed" not in client.get(reverse("facilitation:facilitator_home")).content.decode()
    for person in (place.participant, ManagerFactory()):
        client.force_login(person)
        assert "Cover needed" not in client.get(reverse("home"), follow=True).content.decode()


@pytest.mark.parametrize("size", [1, 6])
def test_homes_with_cover_warnings_run_constant_queries(client, django_assert_num_queries, size):
    facilitator = FacilitatorFactory()
    for _ in range(size):
        other = FacilitatorFactory()
        cohort = cohort_led_by(facilitator, other)
        blocked_date_add(facilitator=other, day=cohort.group_sessions.get(number=7).local_date, reason="")
        cohort_led_by(facilitator)
    client.force_login(facilitator)
    # session, user, bell, the page cache's scopes, cohorts, their sessions, apologies and absences, cover
    # (facilitators, blocked dates), offers, risk alerts, feed, check-ins panel (3; no access-log insert: nobody
    # asked to talk); then from the cache (tests/facilitation/test_cohort_pages.py): cover is kept
    with django_assert_num_queries(15):
        body = client.get(reverse("facilitation:facilitator_home")).content.decode()
    assert body.count('class="cover-warning"') == 2 * size
    with django_assert_num_queries(8):
        body = client.get(reverse("facilitation:facilitator_home")).content.decode()
    assert body.count('class="cover-warning"') == 2 * size
    client.force_login(ServiceLeadFactory())
    with django_assert_num_queries(13):  # the lead home's 11, plus cover's facilitators and blocked dates
        body = client.get(reverse("facilitation:lead_home")).content.decode()
    assert body.count('class="cover-warning"') == 2 * size


def test_after_the_demo_is_seeded_a_cohort_shows_a_warning_about_cover(settings, client):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    assert cover_warnings()
    client.force_login(User.objects.filter(is_service_lead=True).first())
    assert "Cover needed" in client.get(reverse("facilitation:lead_home")).content.decode()


def test_participants_are_never_counted_as_cover():
    solo = FacilitatorFactory()
    cohort = cohort_led_by(solo)
    enrol(cohort, ParticipantFactory(is_facilitator=True))
    assert len(cover_warnings()) == 1
