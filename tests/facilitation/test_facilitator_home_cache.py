"""The facilitator home's kept part ("Needs you", cover, "Your cohorts") comes from the page cache
(core.page_cache): each kind of write it shows appears at once, and so does each change the clock makes; one
facilitator's part never shows on another's page; what stays live (risk alerts, requests to talk, forms) does.

Each test reads the page twice first (the second from the cache), makes one write through its service, and
reads it again.
"""

from __future__ import annotations

import datetime
import re
from datetime import UTC

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_deactivate
from core import page_cache
from core.models import AccessLog
from facilitation.views.homes import _facilitator_home_render
from programmes.models import SessionPlan
from sessions.models import Cohort, Enrolment, GroupSession
from sessions.services.attendance import apologies_send, apologies_withdraw, attendance_record
from sessions.services.checkins import availability_remove, blocked_date_add
from sessions.services.cohorts import cohort_cancel, cohort_create, cohort_update
from sessions.services.enrolments import enrolment_withdraw
from sessions.services.group_sessions import group_session_cancel, group_session_hold, group_session_reschedule
from sessions.services.help_requests import help_request_create
from tests.factories import FacilitatorFactory, ServiceLeadFactory
from tests.sessions.factories_checkins import cohort_with_people

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]

NOW = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in London
START = datetime.date(2026, 5, 12)  # a Tuesday: weeks 1-3 are behind, week 4 is tomorrow at 13:00
CSRF = re.compile(r"[A-Za-z0-9]{64}")  # CSRF tokens, masked anew for each use


@pytest.fixture
def world():
    """(cohort, facilitator, amara, ben) at NOW, with the clock stopped there for the test."""
    with time_machine.travel(NOW, tick=False):
        cohort, facilitator, (amara, ben) = cohort_with_people(
            participants=2, start_date=START, weekday=START.weekday(), status="running", holiday_region="GB-ENG"
        )
        amara.first_name, ben.first_name = "Amara", "Ben"
        amara.save(update_fields=["first_name"])
        ben.save(update_fields=["first_name"])
        yield cohort, facilitator, amara, ben


def page(client: Client, person) -> str:
    client.force_login(person)
    response = client.get(reverse("facilitation:facilitator_home"))
    assert response.status_code == 200
    return response.content.decode()


def cached(client: Client, person) -> str:
    """The page read twice: the second time from the cache, and the same as the first."""
    first, second = page(client, person), page(client, person)
    assert CSRF.sub("", first) == CSRF.sub("", second)
    return second


def session(cohort: Cohort, number: int) -> GroupSession:
    return cohort.group_sessions.get(kind="weekly", number=number)


def needs_two(cohort: Cohort) -> None:
    SessionPlan.objects.filter(programme=cohort.programme).update(needs_two_facilitators=True)


def test_apologies_show_at_once_and_so_does_taking_them_back(client, world):
    cohort, facilitator, amara, _ben = world
    assert "sent apologies" not in cached(client, facilitator)
    apologies_send(group_session=session(cohort, 4), participant=amara)
    assert "Amara (" in page(client, facilitator) and "sent apologies for Tue 2 Jun." in page(client, facilitator)
    apologies_withdraw(group_session=session(cohort, 4), participant=amara)
    assert "sent apologies" not in page(client, facilitator)


def test_two_absences_in_the_register_show_an_early_warning_at_once(client, world):
    cohort, facilitator, amara, _ben = world
    for number in (2, 3):
        group_session_hold(group_session=session(cohort, number), by=facilitator)
    attendance_record(group_session=session(cohort, 2), participant=amara, status="absent", by=facilitator)
    assert "missed the last two sessions" not in cached(client, facilitator)
    attendance_record(group_session=session(cohort, 3), participant=amara, status="absent", by=facilitator)
    assert "Amara (" in page(client, facilitator).split("missed the last two sessions")[0]


def test_a_place_withdrawn_shows_in_the_places_filled_at_once(client, world):
    _cohort, facilitator, amara, _ben = world
    assert "2 of 8 places filled" in cached(client, facilitator)
    enrolment_withdraw(enrolment=Enrolment.objects.get(participant=amara), reason="", by=facilitator)
    assert "1 of 8 places filled" in page(client, facilitator)


def test_moving_and_cancelling_the_next_session_show_at_once(client, world):
    cohort, facilitator, _amara, _ben = world
    assert "Tuesday 2 June, 13:00" in cached(client, facilitator)
    group_session_reschedule(
        group_session=session(cohort, 4), local_date=datetime.date(2026, 6, 3), reason="Room", by=facilitator
    )
    assert "Wednesday 3 June, 13:00" in page(client, facilitator)
    group_session_cancel(group_session=session(cohort, 4), reason="Closed", by=facilitator)
    body = page(client, facilitator)
    assert "3 June" not in body and "Tuesday 9 June, 13:00" in body


def test_a_cancelled_cohort_leaves_the_list_at_once(client, world):
    cohort, facilitator, _amara, _ben = world
    assert cohort.name in cached(client, facilitator)
    cohort_cancel(cohort=cohort, by=ServiceLeadFactory())
    assert cohort.name not in page(client, facilitator)


def test_a_new_cohort_and_a_change_of_facilitators_show_at_once(client, world):
    cohort, facilitator, _amara, _ben = world
    other = FacilitatorFactory()
    assert "You are not facilitating a cohort yet." in cached(client, other)
    cohort_update(
        cohort=cohort,
        name=cohort.name,
        venue=cohort.venue,
        video_link="",
        capacity=cohort.capacity,
        facilitators=[other],
        by=ServiceLeadFactory(),
    )
    assert cohort.name in page(client, other)  # joined
    assert cohort.name not in page(client, facilitator)  # left
    created = cohort_create(
        programme=cohort.programme,
        name="Autumn group",
        facilitators=[facilitator],
        start_date=datetime.date(2026, 9, 1),
        start_time=datetime.time(13, 0),
        time_zone="Europe/London",
        holiday_region="GB-ENG",
        venue="Room 2",
        by=ServiceLeadFactory(),
    )
    assert created.name in page(client, facilitator)


def test_a_co_facilitators_blocked_date_shows_cover_at_once_and_its_removal_too(client, world):
    cohort, facilitator, _amara, _ben = world
    colleague = FacilitatorFactory(first_name="Chidi")
    cohort.facilitators.add(colleague)
    needs_two(cohort)
    assert "Cover needed" not in cached(client, facilitator)
    blocked = blocked_date_add(facilitator=colleague, day=session(cohort, 5).local_date)
    body = page(client, facilitator)
    assert "Cover needed" in body and "Chidi away that day" in body
    availability_remove(facilitator=colleague, kind="blocked", pk=blocked.pk)
    assert "Cover needed" not in page(client, facilitator)


def test_a_co_facilitator_turned_off_shows_cover_at_once(client, world):
    cohort, facilitator, _amara, _ben = world
    colleague = FacilitatorFactory()
    cohort.facilitators.add(colleague)
    needs_two(cohort)
    assert "Cover needed" not in cached(client, facilitator)
    user_deactivate(user=colleague, by=ServiceLeadFactory())
    assert "Cover needed" in page(client, facilitator)


def test_the_next_session_moves_on_when_the_clock_passes_its_end(client, world, settings):
    settings.STEADY_PAGE_CACHE_SECONDS = 60 * 60 * 24 * 30  # only the part's own next change ends it
    cohort, facilitator, _amara, _ben = world
    assert "Tuesday 2 June, 13:00" in cached(client, facilitator)
    with time_machine.travel(session(cohort, 4).ends_at + datetime.timedelta(minutes=1), tick=False):
        body = page(client, facilitator)
    assert "Tuesday 9 June, 13:00" in body and "Week 4 of 12" in body


def test_one_facilitators_part_never_shows_on_anothers_page(client, world):
    cohort, facilitator, _amara, _ben = world
    other_cohort, other, _people = cohort_with_people(participants=1, start_date=START, weekday=START.weekday())
    assert cohort.name in cached(client, facilitator)
    body = cached(client, other)
    assert other_cohort.name in body and cohort.name not in body


def test_requests_to_talk_stay_live_and_each_view_is_logged(client, world):
    cohort, facilitator, amara, _ben = world
    cached(client, facilitator)
    help_request_create(participant=amara, cohort=cohort, message="Could we talk?")
    before = AccessLog.objects.filter(actor=facilitator, record_type="group_sessions.HelpRequest").count()
    body = page(client, facilitator)
    assert "Could we talk?" in body
    assert AccessLog.objects.filter(actor=facilitator, record_type="group_sessions.HelpRequest").count() == before + 1
    # The forms (handle the request, a new calendar address, sign out) carry this request's own CSRF token.
    assert body.count('name="csrfmiddlewaretoken"') >= 3
    kept = body.split('id="my-cohorts"', 1)[1].split("</section>", 1)[0]
    assert "csrfmiddlewaretoken" not in kept


def test_a_part_listing_a_cohort_outside_its_scopes_is_not_kept(world):
    """A cohort given to the facilitator between reading the scopes and rendering: the part is shown once but
    not kept, so no later write to that cohort can leave it stale."""
    cohort, facilitator, _amara, _ben = world
    assert _facilitator_home_render(facilitator, []).valid_until <= timezone.now()
    kept = _facilitator_home_render(facilitator, [page_cache.cohort(cohort.pk)])
    assert kept.valid_until > timezone.now() and cohort.name in kept.html
