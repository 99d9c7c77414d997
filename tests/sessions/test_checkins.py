"""One-to-one check-ins: free slots, booking rules, records and their privacy, help requests, boosters."""

from __future__ import annotations

import datetime
from datetime import UTC, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError, NotAllowed
from core.models import AccessLog
from facilitation.selectors.homes import facilitator_checkins_panel, participant_checkins_panel
from reminders.models import Reminder
from reminders.registry import get_kind
from reminders.rendering import reminder_email
from reminders.services.dispatch import reminders_claim_due
from reminders.services.sending import reminders_send_batch
from sessions.models import AvailabilitySlot, BlockedDate, CheckIn, Enrolment, GroupSession, HelpRequest
from sessions.scheduling import utc_to_local
from sessions.selectors.checkins import free_slots, pre_group_checkin_done
from sessions.selectors.help_requests import participant_help_panel
from sessions.selectors.places import participant_booster_sessions, participant_groups
from sessions.services.boosters import booster_reminders_schedule, boosters_schedule
from sessions.services.checkins import (
    SlotTaken,
    availability_slot_add,
    availability_window_add,
    blocked_date_add,
    checkin_book,
    checkin_cancel,
    checkin_rebook,
    checkin_record,
)
from sessions.services.help_requests import help_request_create
from tests.factories import (
    FacilitatorFactory,
    ManagerFactory,
    ParticipantFactory,
    ServiceLeadFactory,
    cohort_with_sessions,
)
from tests.sessions.factories_checkins import cohort_with_people, weekly_window

pytestmark = [pytest.mark.checkins, pytest.mark.django_db]

MONDAY = 0


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


# --- Free slots ---------------------------------------------------------------


@time_machine.travel(utc(2026, 10, 1, 8), tick=False)
def test_free_slots_keep_local_time_across_the_autumn_clock_change_in_london(facilitator):
    weekly_window(facilitator, weekday=MONDAY, start="09:00", end="10:00", minutes=30)
    slots = free_slots(
        facilitator_ids=[facilitator.pk], first=datetime.date(2026, 10, 19), last=datetime.date(2026, 10, 27)
    )
    # 19 Oct is summer time (UTC+1), 26 Oct winter time (UTC+0): same wall clock, different UTC.
    assert [slot.starts_at for slot in slots] == [
        utc(2026, 10, 19, 8, 0),
        utc(2026, 10, 19, 8, 30),
        utc(2026, 10, 26, 9, 0),
        utc(2026, 10, 26, 9, 30),
    ]
    assert {slot.local_start.time() for slot in slots} == {datetime.time(9, 0), datetime.time(9, 30)}


@time_machine.travel(utc(2026, 10, 1, 8), tick=False)
def test_free_slots_leave_out_the_facilitators_own_group_sessions(facilitator):
    weekly_window(facilitator, weekday=MONDAY, start="12:00", end="14:00", minutes=30)
    # The facilitator runs a group on Mondays 13:00-14:00 (London) from 19 October.
    cohort_with_sessions(
        start_date=datetime.date(2026, 10, 19),
        start_time=datetime.time(13, 0),
        session_minutes=60,
        facilitators=[facilitator],
        holiday_region="",
    )
    slots = free_slots(
        facilitator_ids=[facilitator.pk], first=datetime.date(2026, 10, 19), last=datetime.date(2026, 10, 19)
    )
    assert [slot.local_start.time() for slot in slots] == [datetime.time(12, 0), datetime.time(12, 30)]


@time_machine.travel(utc(2026, 3, 1, 8), tick=False)
def test_free_slots_keep_local_time_across_the_spring_clock_change_in_toronto():
    facilitator = FacilitatorFactory(time_zone="America/Toronto")
    weekly_window(facilitator, weekday=4, start="16:00", end="16:45", minutes=45)  # Fridays
    slots = free_slots(
        facilitator_ids=[facilitator.pk], first=datetime.date(2026, 3, 6), last=datetime.date(2026, 3, 13)
    )
    # Clocks go forward on 8 March 2026: EST (UTC-5) then EDT (UTC-4).
    assert [slot.starts_at for slot in slots] == [utc(2026, 3, 6, 21, 0), utc(2026, 3, 13, 20, 0)]
    assert all(slot.minutes == 45 for slot in slots)


@time_machine.travel(utc(2026, 6, 1, 8), tick=False)
def test_blocked_dates_bookings_and_the_past_remove_slots_and_one_offs_add_them(facilitator):
    weekly_window(facilitator, weekday=MONDAY, start="09:00", end="10:00", minutes=30)
    blocked_date_add(facilitator=facilitator, day=datetime.date(2026, 6, 8))
    availability_slot_add(
        facilitator=facilitator, local_date=datetime.date(2026, 6, 10), start_time=datetime.time(17, 0), minutes=20
    )
    slots = free_slots(
        facilitator_ids=[facilitator.pk], first=datetime.date(2026, 6, 1), last=datetime.date(2026, 6, 15)
    )
    starts = [utc_to_local(slot.starts_at, "Europe/London").strftime("%d %H:%M") for slot in slots]
    # 1 June 09:00 (08:00 UTC) has already started; 8 June is blocked.
    assert starts == ["01 09:30", "10 17:00", "15 09:00", "15 09:30"]


def test_window_and_slot_lengths_outside_20_to_60_minutes_are_refused(facilitator):
    with pytest.raises(DomainError, match="between 20 and 60"):
        availability_window_add(
            facilitator=facilitator,
            weekday=MONDAY,
            start_time=datetime.time(9),
            end_time=datetime.time(12),
            slot_minutes=90,
            valid_from=datetime.date(2026, 1, 1),
        )
    with pytest.raises(DomainError):
        availability_slot_add(
            facilitator=facilitator, local_date=datetime.date(2030, 1, 1), start_time=datetime.time(9), minutes=15
        )
    assert not facilitator.availability_windows.exists()
    assert not AvailabilitySlot.objects.exists()


# --- Booking ------------------------------------------------------------------

NOW = utc(2026, 6, 1, 7)  # Monday 08:00 in London
SLOT = utc(2026, 6, 8, 8)  # Monday 8 June, 09:00 in London


@pytest.fixture
def booked_world(db):
    with time_machine.travel(NOW, tick=False):
        cohort, facilitator, people = cohort_with_people(participants=3)
        weekly_window(facilitator, weekday=MONDAY, start="09:00", end="11:00", minutes=30)
    return cohort, facilitator, people


def book(cohort, facilitator, participant, starts_at=SLOT, *, actor=None, kind="mid_programme"):
    return checkin_book(
        actor=actor or participant,
        participant=participant,
        facilitator=facilitator,
        cohort=cohort,
        kind=kind,
        starts_at=starts_at,
    )


@time_machine.travel(NOW, tick=False)
def test_participant_books_a_free_slot_and_gets_a_reminder_the_day_before(booked_world):
    cohort, facilitator, (amara, *_rest) = booked_world
    checkin = book(cohort, facilitator, amara)
    assert (checkin.status, checkin.ends_at, checkin.booked_by) == ("booked", SLOT + timedelta(minutes=30), amara)
    reminder = Reminder.objects.get(kind="checkin_tomorrow")
    assert (reminder.recipient, reminder.due_at) == (amara, SLOT - timedelta(hours=24))
    assert SLOT not in [
        s.starts_at
        for s in free_slots(
            facilitator_ids=[facilitator.pk], first=datetime.date(2026, 6, 8), last=datetime.date(2026, 6, 8)
        )
    ]


@time_machine.travel(NOW, tick=False)
def test_a_slot_just_taken_is_refused_with_the_nearest_free_times(booked_world):
    cohort, facilitator, (amara, ben, _chloe) = booked_world
    book(cohort, facilitator, amara)
    with pytest.raises(SlotTaken) as refused:
        book(cohort, facilitator, ben)
    assert "just been booked" in refused.value.message
    assert refused.value.nearest[0].starts_at == SLOT + timedelta(minutes=30)
    assert SLOT not in [slot.starts_at for slot in refused.value.nearest]
    assert CheckIn.objects.filter(participant=ben).count() == 0


@time_machine.travel(NOW, tick=False)
def test_outside_availability_in_the_past_and_own_overlap_are_refused_with_the_reason(booked_world):
    cohort, facilitator, (amara, *_rest) = booked_world
    with pytest.raises(DomainError, match="outside the facilitator's availability"):
        book(cohort, facilitator, amara, utc(2026, 6, 8, 14))
    with pytest.raises(DomainError, match="passed"):
        book(cohort, facilitator, amara, utc(2026, 5, 25, 8))
    other = FacilitatorFactory()
    cohort.facilitators.add(other)
    weekly_window(other, weekday=MONDAY, start="09:15", end="10:15", minutes=30)
    book(cohort, facilitator, amara)
    with pytest.raises(DomainError, match="You already have a check-in"):
        book(cohort, other, amara, utc(2026, 6, 8, 8, 15))
    assert CheckIn.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_only_facilitators_of_the_participants_cohort_book_on_their_behalf(booked_world):
    cohort, facilitator, (amara, ben, _chloe) = booked_world
    stranger = FacilitatorFactory()
    with pytest.raises(NotAllowed):
        book(cohort, facilitator, amara, actor=stranger)
    with pytest.raises(NotAllowed):
        book(cohort, facilitator, amara, actor=ben)
    checkin = book(cohort, facilitator, amara, actor=facilitator, kind="pre_group")
    assert checkin.booked_by == facilitator


@time_machine.travel(NOW, tick=False)
def test_the_database_refuses_overlapping_active_check_ins_even_without_the_service(booked_world):
    cohort, facilitator, (amara, ben, _chloe) = booked_world
    book(cohort, facilitator, amara)
    row = {"cohort": cohort, "facilitator": facilitator, "kind": "on_request", "time_zone": "Europe/London"}
    with pytest.raises(IntegrityError), transaction.atomic():  # facilitator, overlapping but not the same start
        CheckIn.objects.create(
            participant=ben, starts_at=SLOT + timedelta(minutes=10), ends_at=SLOT + timedelta(minutes=40), **row
        )
    other = FacilitatorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():  # participant, with another facilitator
        CheckIn.objects.create(
            participant=amara,
            starts_at=SLOT + timedelta(minutes=20),
            ends_at=SLOT + timedelta(minutes=50),
            **{**row, "facilitator": other},
        )
    # A cancelled check-in frees its time.
    CheckIn.objects.filter(participant=amara).update(status="cancelled")
    CheckIn.objects.create(participant=ben, starts_at=SLOT, ends_at=SLOT + timedelta(minutes=30), **row)


@time_machine.travel(NOW, tick=False)
def test_cancel_inside_the_notice_period_is_recorded_as_late_and_the_slot_can_be_rebooked(booked_world, settings):
    cohort, facilitator, (amara, ben, _chloe) = booked_world
    settings.STEADY_CHECKIN_NOTICE_HOURS = 24
    checkin = book(cohort, facilitator, amara)
    with time_machine.travel(SLOT - timedelta(hours=30), tick=False):
        early = checkin_cancel(actor=amara, checkin=checkin)
    assert (early.status, early.late_cancellation) == ("cancelled", False)
    assert Reminder.objects.get(kind="checkin_tomorrow").status == "cancelled"
    again = book(cohort, facilitator, ben)
    with time_machine.travel(SLOT - timedelta(hours=2), tick=False):
        late = checkin_cancel(actor=facilitator, checkin=again)
    assert (late.late_cancellation, late.cancelled_by) == (True, facilitator)


@time_machine.travel(NOW, tick=False)
def test_rebook_moves_the_check_in_and_a_refused_new_time_keeps_the_old_one(booked_world):
    cohort, facilitator, (amara, ben, _chloe) = booked_world
    checkin = book(cohort, facilitator, amara)
    book(cohort, facilitator, ben, SLOT + timedelta(minutes=60))
    with pytest.raises(SlotTaken):
        checkin_rebook(actor=amara, checkin=checkin, facilitator=facilitator, starts_at=SLOT + timedelta(minutes=60))
    checkin.refresh_from_db()
    assert checkin.status == "booked"
    moved = checkin_rebook(
        actor=amara, checkin=checkin, facilitator=facilitator, starts_at=SLOT + timedelta(minutes=30)
    )
    checkin.refresh_from_db()
    assert (checkin.status, moved.status, moved.starts_at) == ("cancelled", "booked", SLOT + timedelta(minutes=30))


@time_machine.travel(NOW, tick=False)
def test_pre_group_checkin_done_only_once_one_is_held(booked_world):
    cohort, facilitator, (amara, *_rest) = booked_world
    enrolment = Enrolment.objects.get(participant=amara)
    checkin = book(cohort, facilitator, amara, kind="pre_group")
    assert pre_group_checkin_done(enrolment=enrolment) is False
    with time_machine.travel(SLOT + timedelta(minutes=35), tick=False):
        checkin_record(
            actor=facilitator, checkin=checkin, status="held", notes="", follow_up_actions="", shared_summary=""
        )
    assert pre_group_checkin_done(enrolment=enrolment) is True


# --- Records and their privacy -------------------------------------------------


@pytest.fixture
def recorded(booked_world):
    cohort, facilitator, (amara, ben, _chloe) = booked_world
    with time_machine.travel(NOW, tick=False):
        checkin = book(cohort, facilitator, amara)
    with time_machine.travel(SLOT + timedelta(hours=1), tick=False):
        checkin_record(
            actor=facilitator,
            checkin=checkin,
            status="held",
            notes="Finds night shifts hardest; inner critic loud after a difficult death.",
            follow_up_actions="Offer the self-compassion letter exercise.",
            shared_summary="We agreed to try the settling breath before handovers.",
        )
    return checkin, cohort, facilitator, amara, ben


SECRET = "inner critic loud"
SHARED = "settling breath before handovers"


def test_cofacilitator_reads_the_notes_and_each_read_is_logged(client, recorded):
    checkin, cohort, _facilitator, amara, _ben = recorded
    cofacilitator = FacilitatorFactory()
    cohort.facilitators.add(cofacilitator)
    client.force_login(cofacilitator)
    for _time in range(2):
        page = client.get(checkin.get_absolute_url())
        assert SECRET in page.content.decode()
    logs = AccessLog.objects.filter(record_type="group_sessions.CheckIn", record_id=str(checkin.pk), action="view")
    assert [(log.actor, log.subject, log.action) for log in logs] == [(cofacilitator, amara, "view")] * 2


def test_participant_sees_only_the_shared_summary(client, recorded):
    checkin, *_rest, amara, _ben = recorded
    client.force_login(amara)
    page = client.get(checkin.get_absolute_url()).content.decode()
    assert SHARED in page
    assert SECRET not in page and "self-compassion letter" not in page
    assert not AccessLog.objects.filter(action="view").exists()


@pytest.mark.parametrize("who", ["other_participant", "manager", "line_manager", "service_lead", "other_facilitator"])
def test_everyone_else_is_refused_the_check_in_and_its_notes(client, recorded, who):
    """Another participant or facilitator: not theirs (404); managers and the lead: not their role's page (403)."""
    checkin, _cohort, _facilitator, amara, ben = recorded
    person = {
        "other_participant": lambda: ben,
        "manager": ManagerFactory,
        "line_manager": lambda: amara.line_manager,
        "service_lead": ServiceLeadFactory,
        "other_facilitator": FacilitatorFactory,
    }[who]()
    status = 404 if who in ("other_participant", "other_facilitator") else 403
    client.force_login(person)
    assert client.get(checkin.get_absolute_url()).status_code == status
    post = client.post(
        checkin.get_absolute_url(),
        {"status": "held", "notes": "overwritten", "follow_up_actions": "", "shared_summary": ""},
    )
    assert post.status_code == status
    checkin.refresh_from_db()
    assert SECRET in checkin.notes
    assert not AccessLog.objects.filter(action="view").exists()


def test_facilitator_edits_notes_over_http_and_bad_status_changes_nothing(client, recorded):
    checkin, _cohort, facilitator, _amara, _ben = recorded
    client.force_login(facilitator)
    url = checkin.get_absolute_url()
    page = client.post(url, {"status": "cancelled", "notes": "changed", "follow_up_actions": "", "shared_summary": ""})
    assert page.status_code == 200
    checkin.refresh_from_db()
    assert SECRET in checkin.notes
    client.post(url, {"status": "held", "notes": "Updated notes", "follow_up_actions": "", "shared_summary": ""})
    checkin.refresh_from_db()
    assert (checkin.notes, checkin.shared_summary, checkin.summary_shared_at) == ("Updated notes", "", None)


# --- Help requests ------------------------------------------------------------------


def test_help_request_writes_an_urgent_reminder_due_now_for_each_facilitator_and_reuses_an_open_one(
    django_capture_on_commit_callbacks, booked_world, mailoutbox
):
    cohort, facilitator, (amara, *_rest) = booked_world
    co = FacilitatorFactory()
    cohort.facilitators.add(co)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request = help_request_create(participant=amara, cohort=cohort, message="Week 5 stayed with me.")
        help_request_create(participant=amara, cohort=cohort)
    assert len(callbacks) >= 1  # the dispatcher is woken once the request commits
    rows = Reminder.objects.filter(kind="help_requested")
    assert sorted(r.recipient_id for r in rows) == sorted([facilitator.pk, co.pk])
    assert {r.subject_id for r in rows} == {str(request.pk)}
    assert all(r.due_at <= timezone.now() for r in rows)
    assert HelpRequest.objects.count() == 1
    token, ids = reminders_claim_due()
    assert reminders_send_batch(ids=ids, token=token) == 2
    assert reminders_send_batch(ids=ids, token=token) == 0  # sent once
    assert sorted(m.to[0] for m in mailoutbox) == sorted([facilitator.email, co.email])
    for message in mailoutbox:
        text = (message.subject + message.body).lower()
        assert "therapy" not in text and "compassion" not in text
        assert "Staff wellbeing group" in message.subject


def test_help_request_stays_on_the_facilitators_home_panel_until_handled(booked_world, client):
    cohort, facilitator, (amara, ben, _chloe) = booked_world
    client.force_login(amara)
    client.post(reverse("sessions:help_request_create"), {"cohort": cohort.pk, "message": ""})
    assert [r.participant for r in facilitator_checkins_panel(user=facilitator)["open_help_requests"]] == [amara]
    assert not AccessLog.objects.filter(action="view").exists()  # no message, nothing clinical was read
    assert participant_help_panel(user=amara)["open_help_requests"]
    client.force_login(ben)
    assert client.post(reverse("sessions:help_request_handle", args=[HelpRequest.objects.get().pk])).status_code == 403
    client.force_login(FacilitatorFactory())
    assert client.post(reverse("sessions:help_request_handle", args=[HelpRequest.objects.get().pk])).status_code == 404
    client.force_login(facilitator)
    client.post(reverse("sessions:help_request_handle", args=[HelpRequest.objects.get().pk]))  # no note: refused
    assert len(facilitator_checkins_panel(user=facilitator)["open_help_requests"]) == 1
    client.post(reverse("sessions:help_request_handle", args=[HelpRequest.objects.get().pk]), {"note": "Phoned."})
    assert facilitator_checkins_panel(user=facilitator)["open_help_requests"] == []


def test_talk_is_offered_after_a_held_high_intensity_session(booked_world):
    cohort, _facilitator, (amara, *_rest) = booked_world
    assert participant_checkins_panel(user=amara)["talk_offered"] is False
    session = cohort.group_sessions.get(number=1)
    session.session_plan.intensity = "high"
    session.session_plan.save()
    GroupSession.objects.filter(pk=session.pk).update(status="held", held_at=session.starts_at)
    with time_machine.travel(session.ends_at + timedelta(days=1), tick=False):
        assert participant_checkins_panel(user=amara)["talk_offered"] is True
    with time_machine.travel(session.ends_at + timedelta(days=9), tick=False):
        assert participant_checkins_panel(user=amara)["talk_offered"] is False


# --- Boosters ------------------------------------------------------------------


def test_boosters_fall_at_the_offsets_at_the_usual_local_time_across_the_clock_change():
    with time_machine.travel(utc(2026, 6, 1, 9), tick=False):
        cohort, _facilitator, _people = cohort_with_people(start_date=datetime.date(2026, 7, 6), participants=0)
        last = cohort.group_sessions.filter(kind="weekly").order_by("-local_date").first()
        boosters = boosters_schedule(cohort=cohort)
    assert [b.local_date for b in boosters] == [
        last.local_date + timedelta(weeks=4),
        last.local_date + timedelta(weeks=12),
    ]
    assert last.starts_at.hour == 12  # 13:00 summer time
    assert [b.starts_at.astimezone(UTC).time() for b in boosters] == [datetime.time(13)] * 2  # 13:00 winter time
    assert [b.session_plan.kind for b in boosters] == ["booster", "booster"]
    assert [b.session_plan.number for b in boosters] == [1, 2]


def test_boosters_schedule_is_idempotent_and_follows_a_moved_last_session():
    with time_machine.travel(utc(2026, 6, 1, 9), tick=False):
        cohort, _facilitator, _people = cohort_with_people(start_date=datetime.date(2026, 7, 6), participants=1)
        first = boosters_schedule(cohort=cohort)
        again = boosters_schedule(cohort=cohort)
        assert [b.pk for b in again] == [b.pk for b in first]
        assert GroupSession.objects.filter(cohort=cohort, kind="booster").count() == 2
        assert Reminder.objects.filter(kind="booster_next_week", status="pending").count() == 2
        last = cohort.group_sessions.filter(kind="weekly").order_by("-local_date").first()
        moved_to = last.local_date + timedelta(weeks=1)
        GroupSession.objects.filter(pk=last.pk).update(local_date=moved_to)
        moved = boosters_schedule(cohort=cohort)
    assert moved[0].local_date == moved_to + timedelta(weeks=4)
    assert moved[0].sequence == 1
    pending = Reminder.objects.filter(kind="booster_next_week", status="pending")
    assert sorted(r.occurrence for r in pending) == sorted(b.local_date.isoformat() for b in moved)


def test_withdrawn_participants_stop_seeing_boosters_and_their_reminders(client):
    with time_machine.travel(utc(2026, 6, 1, 9), tick=False):
        cohort, _facilitator, (stays, leaves) = cohort_with_people(start_date=datetime.date(2026, 7, 6))
        Enrolment.objects.filter(participant=stays).update(status="completed")
        boosters_schedule(cohort=cohort)
        assert participant_booster_sessions(user=leaves).count() == 2
        Enrolment.objects.filter(participant=leaves).update(status="withdrawn", place_number=None)
        booster_reminders_schedule(cohort=cohort)
        assert participant_booster_sessions(user=leaves).count() == 0
        assert participant_booster_sessions(user=stays).count() == 2
        # Boosters are listed with the group's sessions on the home page; a withdrawn place has none.
        assert participant_groups(user=leaves) == []
        stays_sessions = participant_groups(user=stays)[0].sessions
        assert len([s for s in stays_sessions if s.kind == "booster"]) == 2
    assert not Reminder.objects.filter(recipient=leaves, status="pending").exists()
    assert Reminder.objects.filter(recipient=stays, kind="booster_next_week", status="pending").count() == 2


# --- Pages --------------------------------------------------------------------


def count_queries(client, url) -> int:
    """Queries for ``url``, the bell's count already cached (as it is for the request measured after)."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@time_machine.travel(NOW, tick=False)
def test_availability_and_booking_pages_run_constant_queries_for_1_and_10_weeks(
    client, booked_world, django_assert_num_queries
):
    cohort, facilitator, (amara, ben, _chloe) = booked_world
    weekly_window(facilitator, weekday=2, start="14:00", end="17:00", minutes=20)
    book(cohort, facilitator, ben)
    client.force_login(facilitator)
    for url in (reverse("sessions:availability"), reverse("sessions:checkin_book_for", args=[amara.pk])):
        one = count_queries(client, f"{url}?weeks=1")
        with django_assert_num_queries(one):
            page = client.get(f"{url}?weeks=10")
        assert page.status_code == 200
        assert page.content.decode().count('name="slot"' if "book" in url else "badge text-bg-light") > 10 * 4
    client.force_login(amara)
    url = reverse("sessions:checkin_book")
    one = count_queries(client, f"{url}?weeks=1")
    with django_assert_num_queries(one):
        client.get(f"{url}?weeks=10")


@time_machine.travel(NOW, tick=False)
def test_home_panels_run_constant_queries(booked_world, django_assert_num_queries):
    cohort, facilitator, (amara, ben, chloe) = booked_world
    with django_assert_num_queries(4):  # timeline (3), upcoming check-ins (help requests: the talk panel)
        participant_checkins_panel(user=amara)
    # Given the timeline the home page reads anyway, the panel adds one query (check-ins).
    groups = participant_groups(user=amara)
    with django_assert_num_queries(1):
        participant_checkins_panel(user=amara, groups=groups)
    with django_assert_num_queries(3):
        facilitator_checkins_panel(user=facilitator)
    help_request_create(participant=amara, cohort=cohort, message="Could we talk?")
    with django_assert_num_queries(4):  # plus the access-log insert for the request's message
        facilitator_checkins_panel(user=facilitator)
    for person, start in ((amara, SLOT), (ben, SLOT + timedelta(minutes=30)), (chloe, SLOT + timedelta(minutes=60))):
        book(cohort, facilitator, person, start)
        help_request_create(participant=person, cohort=cohort, message="Could we talk?")
    boosters_schedule(cohort=cohort)
    groups = participant_groups(user=amara)
    with django_assert_num_queries(1):  # boosters are listed with the group's sessions, not here
        assert "upcoming_boosters" not in participant_checkins_panel(user=amara, groups=groups)
    with django_assert_num_queries(4):
        assert len(facilitator_checkins_panel(user=facilitator)["open_help_requests"]) == 3
    with time_machine.travel(SLOT + timedelta(hours=3), tick=False), django_assert_num_queries(4):
        assert len(facilitator_checkins_panel(user=facilitator)["checkins_to_record"]) == 3


@time_machine.travel(NOW, tick=False)
def test_participant_books_over_http_and_a_taken_slot_shows_the_nearest_times(client, booked_world):
    cohort, facilitator, (amara, ben, _chloe) = booked_world
    client.force_login(amara)
    url = reverse("sessions:checkin_book")
    key = f"{facilitator.pk}:{SLOT.isoformat()}"
    assert key in client.get(url).content.decode()
    book(cohort, facilitator, ben)  # someone else takes it between page load and submit
    page = client.post(url, {"kind": "on_request", "slot": key})
    content = page.content.decode()
    assert "just been booked" in content
    assert "The nearest free times" in content and "Monday 8 June, 09:30" in content
    assert not CheckIn.objects.filter(participant=amara).exists()
    page = client.post(
        url, {"kind": "on_request", "slot": f"{facilitator.pk}:{(SLOT + timedelta(minutes=30)).isoformat()}"}
    )
    assert page.status_code == 302
    assert CheckIn.objects.get(participant=amara).kind == "on_request"
    assert client.get(reverse("sessions:checkin_list")).status_code == 200


@pytest.mark.parametrize("role", ["participant", "manager", "service_lead"])
def test_facilitator_pages_refuse_other_roles(client, role):
    person = {"participant": ParticipantFactory, "manager": ManagerFactory, "service_lead": ServiceLeadFactory}[role]()
    client.force_login(person)
    assert client.get(reverse("sessions:availability")).status_code == 403
    assert client.get(reverse("sessions:checkin_book_for", args=[person.pk])).status_code == 403


def test_facilitator_cannot_book_for_someone_outside_their_cohorts(client, booked_world):
    _cohort, _facilitator, (amara, *_rest) = booked_world
    client.force_login(FacilitatorFactory())
    assert client.get(reverse("sessions:checkin_book_for", args=[amara.pk])).status_code == 404


def test_availability_form_names_the_field_and_changes_nothing_on_bad_input(client, facilitator):
    client.force_login(facilitator)
    page = client.post(
        reverse("sessions:availability_add", args=["window"]),
        {"weekday": 0, "start_time": "09:00", "end_time": "10:00", "slot_minutes": 90, "valid_from": "2026-06-01"},
        follow=True,
    )
    assert "at most 60 minutes" in page.content.decode()
    assert not facilitator.availability_windows.exists()
    client.post(reverse("sessions:availability_add", args=["blocked"]), {"day": "2030-01-02", "reason": "Training"})
    assert BlockedDate.objects.get().reason == "Training"


@time_machine.travel(NOW, tick=False)
def test_home_partials_render_from_their_selectors(booked_world, rf):

    cohort, facilitator, (amara, *_rest) = booked_world
    book(cohort, facilitator, amara)
    help_request_create(participant=amara, cohort=cohort, message="A hard week.")
    request = rf.get("/")
    request.user = amara
    mine = render_to_string(
        "facilitation/partials/participant_checkins.html", participant_checkins_panel(user=amara), request=request
    )
    talk = render_to_string(
        "facilitation/partials/participant_talk.html", participant_help_panel(user=amara), request=request
    )
    assert "Monday 8 June, 09:00" in mine and "You asked to talk" in talk
    request.user = facilitator
    theirs = render_to_string(
        "facilitation/partials/facilitator_checkins.html", facilitator_checkins_panel(user=facilitator), request=request
    )
    assert amara.full_name in theirs and "A hard week." in theirs and "Record and close" in theirs


def test_the_admin_never_shows_check_in_notes_to_a_service_lead(client, recorded):
    checkin, *_rest = recorded
    lead = ServiceLeadFactory(is_staff=True, is_superuser=True)
    client.force_login(lead)
    page = client.get(reverse("admin:group_sessions_checkin_change", args=[checkin.pk]))
    assert page.status_code == 200
    assert SECRET not in page.content.decode() and SHARED not in page.content.decode()


@time_machine.travel(NOW, tick=False)
def test_participant_moves_a_check_in_over_http_and_only_their_own(client, booked_world):
    cohort, facilitator, (amara, ben, _chloe) = booked_world
    checkin = book(cohort, facilitator, amara)
    url = reverse("sessions:checkin_book")
    client.force_login(ben)
    assert client.get(f"{url}?move={checkin.pk}").status_code == 404
    client.force_login(amara)
    assert "You are moving your check-in" in client.get(f"{url}?move={checkin.pk}").content.decode()
    new_time = SLOT + timedelta(minutes=60)
    page = client.post(
        f"{url}?move={checkin.pk}", {"kind": "pre_group", "slot": f"{facilitator.pk}:{new_time.isoformat()}"}
    )
    assert page.status_code == 302
    checkin.refresh_from_db()
    moved = CheckIn.objects.get(participant=amara, status="booked")
    assert (checkin.status, moved.starts_at, moved.kind) == ("cancelled", new_time, "mid_programme")


@time_machine.travel(NOW, tick=False)
def test_checkin_and_booster_reminder_emails_are_neutral(booked_world, mailoutbox):

    cohort, facilitator, (amara, *_rest) = booked_world
    book(cohort, facilitator, amara)
    enrolment = Enrolment.objects.get(participant=amara)
    enrolment.status = "completed"
    enrolment.save()
    boosters_schedule(cohort=cohort)
    rows = Reminder.objects.filter(recipient=amara).order_by("kind", "due_at")
    assert sorted({r.kind for r in rows}) == ["booster_next_week", "checkin_tomorrow"]
    for reminder in rows:
        assert get_kind(reminder.kind).urgent is False
        reminder_email(reminder).send()
    assert get_kind("help_requested").urgent is True
    for message in mailoutbox:
        text = f"{message.subject} {message.body}".lower()
        for word in ("therapy", "compassion", "mental", "cft", "check-in"):
            assert word not in text, (word, message.subject)
    subjects = {m.subject for m in mailoutbox}
    assert "Your one-to-one meeting tomorrow" in subjects
    assert "Staff wellbeing group: follow-up meeting next week" in subjects
