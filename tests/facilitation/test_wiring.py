"""End to end across the wiring: enrolment, sessions, boosters and check-ins meet protected time."""

from __future__ import annotations

import datetime
from datetime import UTC, timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from core.errors import NotAllowed
from facilitation.models import ProtectedTimeLine, ProtectedTimeRequest
from facilitation.services.protected_time import protected_time_submit
from facilitation.services.protected_time_decisions import protected_time_approve
from reminders.models import Reminder
from sessions.models import Attendance, Enrolment, GroupSession
from sessions.selectors.calendar_feeds import calendar_feed_sessions
from sessions.selectors.places import cohort_pack_current
from sessions.services.attendance import apologies_send
from sessions.services.checkins import checkin_book, checkin_record
from sessions.services.cohorts import cohort_create
from sessions.services.enrolments import enrolment_acknowledge, enrolment_confirm, enrolment_withdraw
from sessions.services.group_sessions import group_session_cancel, group_session_hold, group_session_reschedule
from tests.factories import (
    EnrolmentFactory,
    FacilitatorFactory,
    ParticipantFactory,
    ServiceLeadFactory,
    programme_with_plans,
)
from tests.sessions.factories_checkins import weekly_window

pytestmark = [pytest.mark.protected_time, pytest.mark.checkins, pytest.mark.django_db]

NOW = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=UTC)  # a Tuesday
START = datetime.date(2026, 9, 14)  # a Monday
Line = ProtectedTimeLine
PT = ProtectedTimeRequest


def new_cohort(*, weeks: int = 4, boosters: int = 2, **programme):
    """A cohort made the way a facilitator makes one: weekly sessions and the boosters as a plan."""
    facilitator = FacilitatorFactory()
    cohort = cohort_create(
        programme=programme_with_plans(weeks=weeks, boosters=boosters, **programme),
        name="Autumn group",
        facilitators=[facilitator],
        start_date=START,
        start_time=datetime.time(13, 0),
        time_zone="Europe/London",
        holiday_region="GB-ENG",
        status="recruiting",
        venue="Wellbeing room",
        by=facilitator,
    )
    return cohort, facilitator


def confirmed(cohort, facilitator, participant=None) -> Enrolment:
    enrolment = EnrolmentFactory(cohort=cohort, participant=participant or ParticipantFactory())
    enrolment_acknowledge(enrolment=enrolment, pack=cohort_pack_current(cohort=cohort), by=enrolment.participant)
    return enrolment_confirm(enrolment=enrolment, by=facilitator)


def approved(enrolment: Enrolment) -> PT:
    request = PT.objects.get(enrolment=enrolment)
    protected_time_submit(request=request, actor=enrolment.participant)
    return protected_time_approve(request=request, actor=enrolment.participant.line_manager)


@time_machine.travel(NOW, tick=False)
def test_confirming_a_place_drafts_a_request_for_every_session_ahead_boosters_included():
    cohort, facilitator = new_cohort()
    enrolment = confirmed(cohort, facilitator)
    request = PT.objects.get(enrolment=enrolment)
    assert request.status == PT.Status.DRAFT
    sessions = list(cohort.group_sessions.order_by("starts_at"))
    assert [s.kind for s in sessions] == ["weekly"] * 4 + ["booster"] * 2
    lines = list(request.lines.order_by("starts_at"))
    assert [line.group_session_id for line in lines] == [s.pk for s in sessions]
    assert {line.minutes for line in lines} == {cohort.session_minutes + settings.STEADY_PROTECTED_TIME_BUFFER_MINUTES}
    assert {line.decision for line in lines} == {Line.Decision.PENDING}


def test_a_place_confirmed_from_the_waitlist_mid_way_asks_only_for_sessions_ahead():
    with time_machine.travel(NOW, tick=False):
        # An open group (no join cut-off), so a place can still be confirmed in week 3.
        cohort, facilitator = new_cohort(join_closes_after_week=None)
    third = cohort.group_sessions.get(kind="weekly", number=3)
    with time_machine.travel(third.starts_at - timedelta(days=1), tick=False):
        enrolment = confirmed(cohort, facilitator)
    request = PT.objects.get(enrolment=enrolment)
    assert sorted(request.lines.values_list("group_session__kind", "group_session__number")) == [
        ("booster", 1),
        ("booster", 2),
        ("weekly", 3),
        ("weekly", 4),
    ]


@time_machine.travel(NOW, tick=False)
def test_withdrawing_withdraws_the_request_and_cancels_only_their_booster_reminders():
    cohort, facilitator = new_cohort()
    leaving = confirmed(cohort, facilitator)
    staying = confirmed(cohort, facilitator)
    approved(leaving)
    booster_reminders = Reminder.objects.filter(kind="booster_next_week")
    assert booster_reminders.filter(recipient=leaving.participant, status="pending").count() == 2

    assert sum(s.kind == "booster" for s in calendar_feed_sessions(user=leaving.participant)) == 2
    enrolment_withdraw(enrolment=leaving, reason="Moving to nights", by=leaving.participant)
    assert not calendar_feed_sessions(user=leaving.participant)
    assert sum(s.kind == "booster" for s in calendar_feed_sessions(user=staying.participant)) == 2

    request = PT.objects.get(enrolment=leaving)
    assert request.status == PT.Status.WITHDRAWN
    assert not booster_reminders.filter(recipient=leaving.participant, status="pending").exists()
    assert booster_reminders.filter(recipient=staying.participant, status="pending").count() == 2
    assert PT.objects.get(enrolment=staying).status == PT.Status.DRAFT
    # Nothing about the request is left waiting for the manager.
    assert not Reminder.objects.filter(
        recipient=leaving.participant.line_manager, status="pending", kind__startswith="protected_time"
    ).exists()


@time_machine.travel(NOW, tick=False)
def test_rescheduling_after_approval_sends_only_that_session_back_with_old_and_new_times():
    cohort, facilitator = new_cohort()
    enrolment = confirmed(cohort, facilitator)
    request = approved(enrolment)
    assert request.status == PT.Status.APPROVED
    week2 = cohort.group_sessions.get(kind="weekly", number=2)
    old_start = week2.starts_at

    group_session_reschedule(
        group_session=week2, local_date=week2.local_date + timedelta(days=1), reason="Room booked", by=facilitator
    )

    request.refresh_from_db()
    assert request.status == PT.Status.SUBMITTED
    pending = request.lines.get(decision=Line.Decision.PENDING)
    assert pending.group_session_id == week2.pk
    assert pending.previous_starts_at == old_start
    assert pending.starts_at == old_start + timedelta(days=1)
    assert pending.previous_decision == Line.Decision.APPROVED
    assert request.lines.filter(decision=Line.Decision.APPROVED).count() == 5
    manager = enrolment.participant.line_manager
    assert Reminder.objects.filter(recipient=manager, kind="protected_time_submitted", occurrence="cycle-1").exists()


@time_machine.travel(NOW, tick=False)
def test_cancelling_an_approved_session_drops_its_line_and_keeps_the_request_approved():
    cohort, facilitator = new_cohort()
    enrolment = confirmed(cohort, facilitator)
    request = approved(enrolment)
    week3 = cohort.group_sessions.get(kind="weekly", number=3)
    group_session_cancel(group_session=week3, reason="Facilitator unwell", by=facilitator)
    request.refresh_from_db()
    assert request.status == PT.Status.APPROVED
    assert not request.lines.filter(group_session=week3).exists()
    assert request.lines.count() == 5


def test_holding_the_last_weekly_session_settles_the_boosters_and_asks_for_their_time():
    """The last session moved a week on after approval: the boosters follow it, and only they go back."""
    with time_machine.travel(NOW, tick=False):
        cohort, facilitator = new_cohort()
        enrolment = confirmed(cohort, facilitator)
        request = approved(enrolment)
        last = cohort.group_sessions.get(kind="weekly", number=4)
        group_session_reschedule(
            group_session=last, local_date=last.local_date + timedelta(days=7), reason="Training day", by=facilitator
        )
        protected_time_approve(request=request, actor=enrolment.participant.line_manager)
    boosters_before = dict(cohort.group_sessions.filter(kind="booster").values_list("number", "starts_at"))
    last.refresh_from_db()
    with time_machine.travel(last.ends_at + timedelta(minutes=5), tick=False):
        group_session_hold(group_session=last, by=facilitator)
    boosters = {s.number: s for s in cohort.group_sessions.filter(kind="booster")}
    assert boosters[1].local_date == last.local_date + timedelta(weeks=4)
    assert boosters[1].starts_at != boosters_before[1]
    # Booster 2 was already on 4 January (28 December is a bank holiday), so it does not move.
    assert boosters[2].local_date == datetime.date(2027, 1, 4) and boosters[2].starts_at == boosters_before[2]
    request.refresh_from_db()
    assert request.status == PT.Status.SUBMITTED
    waiting = request.lines.get(decision=Line.Decision.PENDING)
    assert waiting.group_session_id == boosters[1].pk
    assert (waiting.previous_starts_at, waiting.starts_at) == (boosters_before[1], boosters[1].starts_at)
    assert request.lines.get(group_session=boosters[2]).decision == Line.Decision.APPROVED


def test_boosters_scheduled_only_after_the_last_session_get_lines_on_every_live_request():
    """A cohort whose boosters were not planned at creation (older cohorts): holding the last session adds them."""
    with time_machine.travel(NOW, tick=False):
        cohort, facilitator = new_cohort()
        GroupSession.objects.filter(cohort=cohort, kind="booster").delete()
        enrolment = confirmed(cohort, facilitator)
        request = approved(enrolment)
        gone = confirmed(cohort, facilitator)
        enrolment_withdraw(enrolment=gone, reason="", by=facilitator)
    last = cohort.group_sessions.get(kind="weekly", number=4)
    with time_machine.travel(last.ends_at + timedelta(minutes=5), tick=False):
        group_session_hold(group_session=last, by=facilitator)
    request.refresh_from_db()
    assert request.status == PT.Status.SUBMITTED
    assert list(request.lines.filter(decision="pending").values_list("group_session__kind", flat=True)) == [
        "booster",
        "booster",
    ]
    assert not PT.objects.get(enrolment=gone).lines.filter(group_session__kind="booster").exists()


def test_holding_the_last_session_when_a_later_one_was_cancelled_still_settles_the_boosters():
    with time_machine.travel(NOW, tick=False):
        cohort, facilitator = new_cohort()
        GroupSession.objects.filter(cohort=cohort, kind="booster").delete()
        enrolment = confirmed(cohort, facilitator)
        week4 = cohort.group_sessions.get(kind="weekly", number=4)
        group_session_cancel(group_session=week4, reason="Closure", by=facilitator)
    week3 = cohort.group_sessions.get(kind="weekly", number=3)
    with time_machine.travel(week3.ends_at + timedelta(minutes=5), tick=False):
        group_session_hold(group_session=week3, by=facilitator)
    boosters = cohort.group_sessions.filter(kind="booster")
    assert boosters.count() == 2
    assert PT.objects.get(enrolment=enrolment).lines.filter(group_session__kind="booster").count() == 2


# --- Pre-group check-in before a place ------------------------------------------


def test_a_required_pre_group_checkin_blocks_confirmation_until_one_is_held(client):
    with time_machine.travel(NOW, tick=False):
        cohort, facilitator = new_cohort(pre_group_checkin_required=True)
        weekly_window(facilitator, weekday=2, start="09:00", end="10:00", minutes=30)  # Wednesdays
        enrolment = EnrolmentFactory(cohort=cohort, participant=ParticipantFactory())
        enrolment_acknowledge(enrolment=enrolment, pack=cohort_pack_current(cohort=cohort), by=enrolment.participant)
        with pytest.raises(NotAllowed, match="pre-group check-in"):
            enrolment_confirm(enrolment=enrolment, by=facilitator)
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.ACKNOWLEDGED
        assert not PT.objects.filter(enrolment=enrolment).exists()
        # The participant, not yet confirmed, books the pre-group check-in themselves.
        slot = datetime.datetime(2026, 9, 2, 8, 0, tzinfo=UTC)  # Wednesday 09:00 London
        checkin = checkin_book(
            actor=enrolment.participant,
            participant=enrolment.participant,
            facilitator=facilitator,
            cohort=cohort,
            kind="pre_group",
            starts_at=slot,
        )
    with time_machine.travel(slot + timedelta(minutes=40), tick=False):
        checkin_record(
            actor=facilitator, checkin=checkin, status="held", notes="", follow_up_actions="", shared_summary=""
        )
        enrolment_confirm(enrolment=enrolment, by=facilitator)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert PT.objects.get(enrolment=enrolment).lines.count() == 6


def test_pages_say_a_pre_group_checkin_is_needed_and_confirming_over_http_explains_the_refusal(client):
    with time_machine.travel(NOW, tick=False):
        cohort, facilitator = new_cohort(pre_group_checkin_required=True)
        weekly_window(facilitator, weekday=2, start="09:00", end="10:00", minutes=30)
        enrolment = EnrolmentFactory(cohort=cohort, participant=ParticipantFactory())
        participant = enrolment.participant
        enrolment_acknowledge(enrolment=enrolment, pack=cohort_pack_current(cohort=cohort), by=participant)

        client.force_login(participant)
        home = client.get(reverse("facilitation:participant_home")).content.decode()
        assert "Book a time to talk before the group" in home
        booking = client.get(reverse("sessions:checkin_book") + "?kind=pre_group").content.decode()
        assert 'value="pre_group" selected' in booking

        client.force_login(facilitator)
        page = client.get(cohort.get_absolute_url()).content.decode()
        assert "needs a pre-group check-in before the place can be confirmed" in page
        assert reverse("sessions:checkin_book_for", args=[participant.pk]) + "?kind=pre_group" in page
        response = client.post(reverse("sessions:enrolment_action", args=[enrolment.pk, "confirm"]), follow=True)
        assert "asks for a pre-group check-in" in response.content.decode()
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.ACKNOWLEDGED

        slot = datetime.datetime(2026, 9, 2, 8, 0, tzinfo=UTC)
        checkin = checkin_book(
            actor=facilitator,
            participant=participant,
            facilitator=facilitator,
            cohort=cohort,
            kind="pre_group",
            starts_at=slot,
        )
    with time_machine.travel(slot + timedelta(minutes=40), tick=False):
        checkin_record(
            actor=facilitator, checkin=checkin, status="held", notes="", follow_up_actions="", shared_summary=""
        )
        page = client.get(cohort.get_absolute_url()).content.decode()
        assert "needs a pre-group check-in" not in page
        client.post(reverse("sessions:enrolment_action", args=[enrolment.pk, "confirm"]))
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.ENROLLED
        client.force_login(participant)
        assert (
            "Book a time to talk before the group"
            not in client.get(reverse("facilitation:participant_home")).content.decode()
        )


@time_machine.travel(NOW, tick=False)
def test_the_facilitator_reaches_the_protected_time_matrix_from_home_and_the_cohort_page(client):
    cohort, facilitator = new_cohort()
    confirmed(cohort, facilitator)
    matrix = reverse("facilitation:protected_time_matrix", args=[cohort.pk])
    client.force_login(facilitator)
    assert matrix in client.get(reverse("facilitation:facilitator_home")).content.decode()
    assert matrix in client.get(cohort.get_absolute_url()).content.decode()
    assert client.get(matrix).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_cancelling_the_cohort_withdraws_its_requests_so_managers_have_nothing_left_to_decide(client):
    cohort, facilitator = new_cohort()
    sent = confirmed(cohort, facilitator)
    protected_time_submit(request=PT.objects.get(enrolment=sent), actor=sent.participant)
    covered = confirmed(cohort, facilitator)
    approved(covered)
    client.force_login(sent.participant.line_manager)
    inbox = reverse("facilitation:protected_time_inbox")
    assert sent.participant.full_name in client.get(inbox).content.decode()
    client.force_login(facilitator)
    client.post(reverse("sessions:cohort_status", args=[cohort.pk]), {"status": "cancelled", "confirm": "1"})
    cohort.refresh_from_db()
    assert cohort.status == "cancelled"
    assert set(PT.objects.filter(enrolment__cohort=cohort).values_list("status", flat=True)) == {"withdrawn"}
    assert not Reminder.objects.filter(
        recipient=sent.participant.line_manager, status="pending", kind__startswith="protected_time"
    ).exists()
    client.force_login(sent.participant.line_manager)
    assert sent.participant.full_name not in client.get(inbox).content.decode()


def test_a_booster_the_facilitator_moved_stays_put_when_the_last_weekly_session_is_held():
    with time_machine.travel(NOW, tick=False):
        cohort, facilitator = new_cohort()
        enrolment = confirmed(cohort, facilitator)
        booster = cohort.group_sessions.get(kind="booster", number=1)
        group_session_reschedule(
            group_session=booster,
            local_date=booster.local_date + timedelta(days=1),
            reason="The room is taken that Monday",
            by=facilitator,
        )
        request = approved(enrolment)
    booster.refresh_from_db()
    moved_to = booster.starts_at
    last = cohort.group_sessions.get(kind="weekly", number=4)
    with time_machine.travel(last.ends_at + timedelta(minutes=5), tick=False):
        group_session_hold(group_session=last, by=facilitator)
    booster.refresh_from_db()
    assert booster.starts_at == moved_to
    assert booster.moved_reason == "The room is taken that Monday"
    request.refresh_from_db()
    assert request.status == PT.Status.APPROVED


@time_machine.travel(NOW, tick=False)
def test_the_admin_shows_a_service_lead_no_withdrawal_reason_or_attendance_note(client):

    cohort, facilitator = new_cohort()
    leaving = confirmed(cohort, facilitator)
    enrolment_withdraw(enrolment=leaving, reason="PLANTED-REASON-7Q", by=facilitator)
    staying = confirmed(cohort, facilitator)
    week1 = cohort.group_sessions.get(kind="weekly", number=1)
    apologies_send(group_session=week1, participant=staying.participant, note="PLANTED-NOTE-7Q")
    attendance = Attendance.objects.get(group_session=week1)
    client.force_login(ServiceLeadFactory(is_staff=True, is_superuser=True))
    pages = [
        reverse("admin:group_sessions_enrolment_change", args=[leaving.pk]),
        reverse("admin:group_sessions_attendance_change", args=[attendance.pk]),
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200
        assert "PLANTED-" not in page.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_move_over_http_after_approval_shows_the_manager_old_and_new_time_for_that_session_only(client):
    cohort, facilitator = new_cohort()
    enrolment = confirmed(cohort, facilitator)
    request = approved(enrolment)
    week2 = cohort.group_sessions.get(kind="weekly", number=2)
    client.force_login(facilitator)
    response = client.post(
        reverse("sessions:session_reschedule", args=[week2.pk]),
        {"local_date": (week2.local_date + timedelta(days=1)).isoformat(), "start_time": "", "reason": "Room booked"},
    )
    assert response.status_code == 302
    client.force_login(enrolment.participant.line_manager)
    page = client.get(reverse("facilitation:protected_time_decide", args=[request.pk])).content.decode()
    # Shown once, in the waiting list; no other session says it moved.
    assert page.count("Moved from") == page.count("Moved from Mon 21 Sep, 13:00") == 1  # each session is listed once
    assert "Room booked" not in page  # the facilitator's reason is not the manager's business
