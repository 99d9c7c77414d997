"""The participant home comes from the page cache (core.page_cache): each kind of write shows at once, and so
does each change the clock makes; nothing crosses between people; forms keep working.

Each test reads the page first (so it is cached), makes one write through its service, and reads it again.
"""

from __future__ import annotations

import datetime
import re
from datetime import UTC

import pytest
import time_machine
from django.contrib import admin
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.crisis_contacts import crisis_contact_save
from facilitation.services.protected_time import protected_time_request_draft, protected_time_submit
from facilitation.services.protected_time_decisions import protected_time_approve
from measures.models import Item
from measures.services import (
    measure_schedule_add,
    measures_load_builtin,
    response_answer,
    response_start,
    response_submit,
)
from programmes.models import Material, SessionPlan
from sessions.models import Cohort, Enrolment, GroupSession
from sessions.services.attendance import apologies_send, apologies_withdraw
from sessions.services.calendar_feeds import calendar_feed_ensure, calendar_feed_rotate
from sessions.services.checkin_offers import checkin_offer_accept, checkin_offers_make
from sessions.services.checkins import checkin_book, checkin_cancel
from sessions.services.cohorts import cohort_cancel, cohort_update, enrolments_complete
from sessions.services.enrolments import enrolment_acknowledge, enrolment_confirm, enrolment_withdraw
from sessions.services.group_sessions import group_session_cancel, group_session_hold, group_session_reschedule
from sessions.services.help_requests import help_request_create, help_request_handle
from tests.factories import EnrolmentFactory, ManagerFactory, cohort_with_sessions
from tests.sessions.factories_checkins import cohort_with_people, weekly_window

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]

NOW = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in London
START = datetime.date(2026, 5, 12)  # a Tuesday: weeks 1-3 are behind, week 4 is tomorrow at 13:00


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
    response = client.get(reverse("facilitation:participant_home"))
    assert response.status_code == 200
    return response.content.decode()


def cached(client: Client, person) -> str:
    """The page read twice: the second time from the cache, and the same as the first."""
    first = page(client, person)
    second = page(client, person)
    strip = re.compile(r"[A-Za-z0-9]{64}")  # CSRF tokens, masked anew for each use
    assert strip.sub("", first) == strip.sub("", second)
    return second


def session(cohort: Cohort, number: int) -> GroupSession:
    return cohort.group_sessions.get(kind="weekly", number=number)


# --- Writes by the participant -------------------------------------------------------------------------


def test_apologies_show_at_once_and_so_does_taking_them_back(client, world):
    cohort, _facilitator, amara, _ben = world
    assert "You sent apologies for this one." not in cached(client, amara)
    apologies_send(group_session=session(cohort, 4), participant=amara)
    assert "You sent apologies for this one." in page(client, amara)
    apologies_withdraw(group_session=session(cohort, 4), participant=amara)
    assert "You sent apologies for this one." not in page(client, amara)


def test_booking_and_cancelling_a_check_in_show_at_once(client, world):
    cohort, facilitator, amara, _ben = world
    weekly_window(facilitator, weekday=2, start="09:00", end="11:00")
    assert "You have no check-in booked." in cached(client, amara)
    checkin = checkin_book(
        actor=amara,
        participant=amara,
        facilitator=facilitator,
        cohort=cohort,
        kind="mid_programme",
        starts_at=datetime.datetime(2026, 6, 3, 8, 0, tzinfo=UTC),
    )
    assert "You have no check-in booked." not in page(client, amara)
    checkin_cancel(actor=amara, checkin=checkin)
    assert "You have no check-in booked." in page(client, amara)


def test_asking_to_talk_and_its_handling_show_at_once(client, world):
    cohort, facilitator, amara, _ben = world
    assert "You asked to talk." not in cached(client, amara)
    request = help_request_create(participant=amara, cohort=cohort, message="Could we talk?")
    assert "You asked to talk." in page(client, amara)
    help_request_handle(actor=facilitator, help_request=request, note="Called; we talked.")
    assert "You asked to talk." not in page(client, amara)


def test_leaving_the_group_shows_at_once(client, world):
    _cohort, _facilitator, amara, _ben = world
    place = Enrolment.objects.get(participant=amara)
    assert "Withdraw my place" in cached(client, amara)
    enrolment_withdraw(enrolment=place, reason="", by=amara)
    body = page(client, amara)
    assert "Withdraw my place" not in body
    assert "You left this group." in body


def test_reading_the_pack_and_the_place_confirmed_show_at_once(client, world):
    _cohort, _facilitator, amara, _ben = world
    other = cohort_with_sessions(start_date=datetime.date(2026, 7, 7), weekday=1)
    invitation = EnrolmentFactory(cohort=other, participant=amara, status="invited")
    assert "An invitation is waiting" in cached(client, amara)
    enrolment_acknowledge(enrolment=invitation, pack=other.programme.information_packs.first(), by=amara)
    body = page(client, amara)
    assert "An invitation is waiting" not in body
    assert "Thank you for reading about" in body
    enrolment_confirm(enrolment=invitation, by=other.facilitators.first())
    body = page(client, amara)
    assert "Thank you for reading about" not in body
    assert f'id="group-{other.pk}"' in body  # a group of theirs now


def test_starting_and_submitting_a_questionnaire_show_at_once(client, world):
    cohort, _facilitator, amara, _ben = world
    phq9 = next(measure for measure, _state in measures_load_builtin() if measure.code == "phq-9")
    assert "Questionnaires for you" not in cached(client, amara)
    # Asked for from week 3 (it has started): the schedule is a write of the programme's.
    measure_schedule_add(programme=cohort.programme, measure=phq9, time_point="mid", week=3)
    body = page(client, amara)
    assert "Questionnaires for you" in body and "Started: carry on" not in body
    response = response_start(measure=phq9, participant=amara, cohort=cohort, time_point="mid", by=amara)
    assert "Started: carry on" in page(client, amara)
    response_answer(response=response, item=Item.objects.get(measure=phq9, number=1), value=0, by=amara)
    response_submit(response=response, by=amara)
    assert "Questionnaires for you" not in page(client, amara)


def test_sending_protected_time_and_the_managers_decision_show_at_once(client, world):
    _cohort, _facilitator, amara, _ben = world
    manager = ManagerFactory()
    amara.line_manager = manager
    amara.save(update_fields=["line_manager"])
    request = protected_time_request_draft(enrolment=Enrolment.objects.get(participant=amara))
    assert "Check and send" in cached(client, amara)
    protected_time_submit(request=request, actor=amara)
    body = page(client, amara)
    assert "Check and send" not in body and "See the request" in body
    protected_time_approve(request=request, actor=manager)
    assert "Approved" in page(client, amara)


def test_naming_a_line_manager_shows_at_once(client, world):
    """The line manager is part of the page's key: a new one is a new page."""
    _cohort, _facilitator, amara, _ben = world
    amara.line_manager = None
    amara.save(update_fields=["line_manager"])
    protected_time_request_draft(enrolment=Enrolment.objects.get(participant=amara))
    assert "Name my line manager" in cached(client, amara)
    amara.line_manager = ManagerFactory()
    amara.save(update_fields=["line_manager"])
    assert "Name my line manager" not in page(client, amara)


def test_a_new_calendar_address_shows_at_once(client, world):
    _cohort, _facilitator, amara, _ben = world
    old = calendar_feed_ensure(user=amara).token
    assert old in cached(client, amara)
    new = calendar_feed_rotate(user=amara).token
    body = page(client, amara)
    assert new in body and old not in body


def test_check_in_offer_and_taking_it_up_show_at_once(client, world):
    cohort, facilitator, amara, _ben = world
    assert "A one-to-one conversation, if you would like one" not in cached(client, amara)
    (offer,) = checkin_offers_make(group_session=session(cohort, 3), participants=[amara], by=facilitator)
    assert "A one-to-one conversation, if you would like one" in page(client, amara)
    checkin_offer_accept(offer=offer, by=amara)
    assert "A one-to-one conversation, if you would like one" not in page(client, amara)


# --- Writes by facilitators and the service ------------------------------------------------------------


def test_moving_a_session_shows_at_once(client, world):
    cohort, facilitator, amara, _ben = world
    assert "Room double-booked" not in cached(client, amara)
    group_session_reschedule(
        group_session=session(cohort, 4),
        local_date=datetime.date(2026, 6, 4),
        reason="Room double-booked",
        by=facilitator,
    )
    assert "Moved: Room double-booked" in page(client, amara)


def test_cancelling_a_session_shows_at_once(client, world):
    cohort, facilitator, amara, _ben = world
    assert "Strike day" not in cached(client, amara)
    group_session_cancel(group_session=session(cohort, 5), reason="Strike day", by=facilitator)
    assert "cancelled: Strike day" in page(client, amara)


def test_holding_a_session_releases_its_materials_at_once(client, world):
    cohort, facilitator, amara, _ben = world
    plan = SessionPlan.objects.get(programme=cohort.programme, kind="weekly", number=3)
    Material.objects.create(session_plan=plan, title="A letter after a hard shift", release="after_session")
    assert "A letter after a hard shift" not in cached(client, amara)
    group_session_hold(group_session=session(cohort, 3), by=facilitator)
    assert "A letter after a hard shift" in page(client, amara)


def test_a_new_venue_shows_at_once(client, world):
    cohort, facilitator, amara, _ben = world
    assert "Library room 2" not in cached(client, amara)
    cohort_update(
        cohort=cohort,
        name=cohort.name,
        venue="Library room 2",
        video_link="",
        capacity=cohort.capacity,
        facilitators=[facilitator],
        by=facilitator,
    )
    assert "Where: Library room 2" in page(client, amara)


def test_cancelling_the_group_shows_at_once(client, world):
    cohort, facilitator, amara, _ben = world
    assert "There are no more sessions planned." not in cached(client, amara)
    cohort_cancel(cohort=cohort, by=facilitator)
    assert "There are no more sessions planned." in page(client, amara)


def test_completing_the_group_shows_at_once(client, world):
    cohort, facilitator, amara, _ben = world
    assert "Withdraw my place" in cached(client, amara)
    enrolments_complete(cohort=cohort, by=facilitator)
    assert "Withdraw my place" not in page(client, amara)


def test_new_crisis_contact_shows_at_once(client, world):
    _cohort, _facilitator, amara, _ben = world
    assert "Staff support line" not in cached(client, amara)
    crisis_contact_save(region="GB-ENG", name="Staff support line", number="0800 123 4567")
    assert "Staff support line" in page(client, amara)


def test_a_change_in_the_admin_shows_at_once(client, world):
    """The admin saves round the services: its save makes every cached page a miss."""
    cohort, _facilitator, amara, _ben = world
    assert "Garden room" not in cached(client, amara)
    cohort.venue = "Garden room"
    request = RequestFactory().post("/")
    admin.site._registry[Cohort].save_model(request, cohort, form=None, change=True)
    assert "Where: Garden room" in page(client, amara)


# --- The clock ------------------------------------------------------------------------------------------


def test_the_next_session_moves_on_when_the_clock_passes_it(client, world, settings):
    """No write: week 4 ends, and the page names week 5 next (the page knows when it next changes)."""
    settings.STEADY_PAGE_CACHE_SECONDS = 7 * 24 * 3600  # only the page's own next change ends it here
    cohort, _facilitator, amara, _ben = world
    # Nothing changes by the clock between Tuesday 09:00 and the start of week 4, at 13:00 in London.
    Material.objects.filter(session_plan__programme=cohort.programme).delete()
    with time_machine.travel(datetime.datetime(2026, 6, 2, 8, 0, tzinfo=UTC), tick=False):  # Tuesday 09:00
        assert "Week 4 · Week 4 theme" in cached(client, amara)
    # 12:59 in London: still the cached page (no place or session is read).
    at_1259 = datetime.datetime(2026, 6, 2, 11, 59, tzinfo=UTC)
    with time_machine.travel(at_1259, tick=False), CaptureQueriesContext(connection) as queries:
        assert "Week 4 · Week 4 theme" in client.get(reverse("facilitation:participant_home")).content.decode()
    assert not [q for q in queries if "group_sessions_" in q["sql"]]
    with time_machine.travel(datetime.datetime(2026, 6, 2, 13, 59, tzinfo=UTC), tick=False):
        assert "Week 4 · Week 4 theme" in page(client, amara)  # 14:59 in London: still on
    with time_machine.travel(datetime.datetime(2026, 6, 2, 14, 31, tzinfo=UTC), tick=False):
        assert "Week 5 · Week 5 theme" in page(client, amara)


def test_a_new_time_zone_shows_at_once(client, world):
    _cohort, _facilitator, amara, _ben = world
    assert "(Europe/London)" in cached(client, amara)
    amara.time_zone = "America/Toronto"
    amara.save(update_fields=["time_zone"])
    assert "(America/Toronto)" in page(client, amara)


# --- People and forms -----------------------------------------------------------------------------------


def test_one_persons_page_never_shows_anothers(client, world):
    cohort, _facilitator, amara, ben = world
    cached(client, amara)
    apologies_send(group_session=session(cohort, 4), participant=amara)
    help_request_create(participant=amara, cohort=cohort, message="Could we talk?")
    assert "You sent apologies for this one." in page(client, amara)
    body = cached(client, ben)
    assert "Hello, Ben" in body
    assert "You sent apologies for this one." not in body and "You asked to talk." not in body


def test_forms_on_a_cached_page_carry_the_requests_own_csrf_token(world):
    cohort, _facilitator, amara, _ben = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(amara)
    client.get(reverse("facilitation:participant_home"))
    body = client.get(reverse("facilitation:participant_home")).content.decode()  # from the cache
    url = reverse("sessions:apologies_send", args=[session(cohort, 4).pk])
    form = re.search(rf'action="{url}">\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert form is not None
    response = client.post(url, {"csrfmiddlewaretoken": form.group(1)})
    assert response.status_code == 302
    assert "You sent apologies for this one." in client.get(reverse("facilitation:participant_home")).content.decode()
