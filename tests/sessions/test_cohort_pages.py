"""Cohort, session and place pages over HTTP for each role, with constant query counts."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.models import AccessLog
from reminders.models import Reminder
from sessions.models import Attendance, ClosureDate, Cohort, Enrolment, GroupSession
from sessions.selectors.places import participant_groups
from sessions.services.cohorts import cohort_create
from sessions.services.invitations import enrolment_invite
from tests.factories import (
    EnrolmentFactory,
    FacilitatorFactory,
    ManagerFactory,
    ParticipantFactory,
    cohort_with_sessions,
    enrol,
    programme_with_plans,
)
from tests.support.cohort_pages import measured, running_cohort

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]


# --- Constant query counts ------------------------------------------------

RUN_SESSION_QUERIES = 10  # includes one batched access-log insert, and the check-in offers


SEPTEMBER_FIRST = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC)


def toronto_monday_cohort(facilitator) -> Cohort:
    """A Monday 13:00 Toronto cohort from 14 September 2026: Thanksgiving (12 October) moves week 5."""

    return cohort_create(
        programme=programme_with_plans(),
        name="Monday group",
        facilitators=[facilitator],
        start_date=datetime.date(2026, 9, 14),
        start_time=datetime.time(13, 0),
        time_zone="America/Toronto",
        holiday_region="CA-ON",
        venue="Room 1",
        by=facilitator,
    )


@pytest.mark.parametrize("size", [8, 40])
def test_run_session_page_runs_constant_queries(client, django_assert_num_queries, size):
    cohort = running_cohort(size)
    session = cohort.group_sessions.get(number=5)  # held, with a full register
    facilitator = cohort.facilitators.first()
    client.force_login(facilitator)
    url = reverse("sessions:session_run", kwargs={"pk": session.pk})
    response = measured(client, url, RUN_SESSION_QUERIES, django_assert_num_queries)
    assert response.content.decode().count('class="list-group-item register-row"') == size
    reads = AccessLog.objects.filter(actor=facilitator, record_type="group_sessions.Attendance", action="view")
    assert reads.count() == size


# session, user, bell, the cohort, its sessions, places, pre-group check-ins held, invitations, facilitators,
# go-ahead reasons, the join cut-off, one batched access-log insert (withdrawal reasons are clinical)
COHORT_PAGE_QUERIES = 12


@pytest.mark.parametrize("size", [8, 40])
def test_cohort_page_runs_constant_queries(client, django_assert_num_queries, size):
    cohort = running_cohort(size)
    type(cohort.programme).objects.filter(pk=cohort.programme_id).update(pre_group_checkin_required=True)
    Cohort.objects.filter(pk=cohort.pk).update(capacity=size * 2)
    now = timezone.now()
    for i in range(size // 2):
        EnrolmentFactory(cohort=cohort, status="acknowledged", acknowledged_at=now)
        EnrolmentFactory(cohort=cohort, status="waitlisted", waitlisted_at=now - datetime.timedelta(minutes=i))
        EnrolmentFactory(cohort=cohort, status="withdrawn", withdrawal_reason="Shifts changed")
    client.force_login(cohort.facilitators.first())
    url = reverse("sessions:cohort_detail", kwargs={"pk": cohort.pk})
    body = measured(client, url, COHORT_PAGE_QUERIES, django_assert_num_queries).content.decode()
    assert body.count("needs a pre-group check-in") == size  # the awaiting and the waitlisted
    assert body.count("Shifts changed") == size // 2
    assert "Week 6 theme" in body


def test_other_participant_cannot_send_apologies_or_read_pack(client):
    cohort = running_cohort(2, held=2)
    place = cohort.enrolments.first()
    stranger = ParticipantFactory()
    client.force_login(stranger)
    session = cohort.group_sessions.get(number=3)
    assert client.post(reverse("sessions:apologies_send", kwargs={"pk": session.pk})).status_code == 404
    assert client.get(reverse("sessions:enrolment_pack", kwargs={"pk": place.pk})).status_code == 404
    assert not Attendance.objects.filter(participant=stranger).exists()


def test_other_facilitators_cohort_and_session_are_404(client):
    cohort = running_cohort(2, held=1)
    session = cohort.group_sessions.get(number=2)
    place = cohort.enrolments.first()
    client.force_login(FacilitatorFactory())
    urls = [
        reverse("sessions:cohort_detail", kwargs={"pk": cohort.pk}),
        reverse("sessions:session_run", kwargs={"pk": session.pk}),
        reverse("sessions:session_reschedule", kwargs={"pk": session.pk}),
        reverse("sessions:session_cancel", kwargs={"pk": session.pk}),
        reverse("sessions:cohort_edit", kwargs={"pk": cohort.pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    mark = reverse("sessions:attendance_mark", kwargs={"pk": session.pk, "participant_id": place.participant_id})
    assert client.post(mark, {"status": "absent"}).status_code == 404
    withdraw = reverse("sessions:enrolment_withdraw", kwargs={"pk": place.pk})
    assert client.post(withdraw, {"reason": "x"}).status_code == 404
    confirm = reverse("sessions:enrolment_action", kwargs={"pk": place.pk, "action": "confirm"})
    assert client.post(confirm).status_code == 404
    assert Enrolment.objects.get(pk=place.pk).status == "enrolled"


@pytest.mark.parametrize("role_factory", [ParticipantFactory, ManagerFactory])
def test_facilitator_pages_are_forbidden_to_other_roles(client, role_factory):
    cohort = running_cohort(2, held=1)
    client.force_login(role_factory())
    assert client.get(reverse("sessions:cohort_detail", kwargs={"pk": cohort.pk})).status_code == 403
    assert client.get(reverse("sessions:cohort_create")).status_code == 403


def test_cohort_detail_shows_schedule_moves_and_participants_with_withdrawal_reason(client):
    cohort = running_cohort(2, held=1)
    leaving = cohort.enrolments.first()
    client.force_login(cohort.facilitators.first())
    withdraw = reverse("sessions:enrolment_withdraw", kwargs={"pk": leaving.pk})
    assert client.get(withdraw).status_code == 200
    assert client.post(withdraw, {"reason": "Changing shifts"}).status_code == 302
    body = client.get(reverse("sessions:cohort_detail", kwargs={"pk": cohort.pk})).content.decode()
    assert "Week 12 theme" in body
    assert "Changing shifts" in body
    manager = ManagerFactory()
    leaving.participant.line_manager = manager
    leaving.participant.save(update_fields=["line_manager"])
    client.force_login(manager)
    assert "Changing shifts" not in client.get(reverse("facilitation:manager_home")).content.decode()


def test_attendance_tap_by_htmx_returns_the_row(client):
    cohort = running_cohort(2, held=1)
    session = cohort.group_sessions.get(number=2)
    place = cohort.enrolments.first()
    client.force_login(cohort.facilitators.first())
    url = reverse("sessions:attendance_mark", kwargs={"pk": session.pk, "participant_id": place.participant_id})
    response = client.post(url, {"status": "late"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'value="late"\n              class="btn btn-sm btn-primary"' in response.content.decode()
    assert Attendance.objects.get(group_session=session, participant=place.participant).status == "late"
    stranger = ParticipantFactory()
    url = reverse("sessions:attendance_mark", kwargs={"pk": session.pk, "participant_id": stranger.pk})
    assert client.post(url, {"status": "late"}).status_code == 404


def test_mark_as_held_releases_that_weeks_materials(client):

    cohort = running_cohort(1, held=1)
    person = cohort.enrolments.first().participant
    session = cohort.group_sessions.get(number=2)
    now = timezone.now()
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=now - datetime.timedelta(hours=2), ends_at=now - datetime.timedelta(minutes=5)
    )
    before = {m.title for m in participant_groups(user=person)[0].materials}
    assert "Week 2 theme after_session" not in before
    client.force_login(cohort.facilitators.first())
    client.post(reverse("sessions:session_hold", kwargs={"pk": session.pk}))
    after = {m.title for m in participant_groups(user=person)[0].materials}
    assert "Week 2 theme after_session" in after


def test_cohort_form_names_the_fix_for_bad_input(client):
    facilitator = FacilitatorFactory()

    programme = programme_with_plans()
    client.force_login(facilitator)
    response = client.post(
        reverse("sessions:cohort_create"),
        {
            "programme": programme.pk,
            "name": "Winter group",
            "facilitators": [facilitator.pk],
            "start_date": "2020-01-07",
            "start_time": "13:00",
            "time_zone": "Europe/Londn",
            "holiday_region": "GB-ENG",
            "capacity": 40,
            "video_link": "http://video.example/room",
            "status": "planning",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Europe/London or America/Toronto" in body
    assert "Choose today or a later date" in body
    assert "starts with https://" in body
    assert not Cohort.objects.filter(name="Winter group").exists()


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"capacity": "0"}, "at least 1 place"),
        ({"capacity": "-3"}, "at least 1 place"),
        ({"facilitators": []}, "Choose one, two or three facilitators"),
        ({"start_time": "25:00"}, "such as 13:00"),
        ({"start_date": "next week"}, "such as 14/09/2026"),
    ],
)
def test_cohort_form_names_the_fix_for_each_field(client, overrides, words):

    facilitator = FacilitatorFactory()
    client.force_login(facilitator)
    values = {
        "programme": programme_with_plans().pk,
        "name": "Winter group",
        "facilitators": [facilitator.pk],
        "start_date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        "start_time": "13:00",
        "time_zone": "Europe/London",
        "holiday_region": "GB-ENG",
        "venue": "Room 2",
        "status": "planning",
    }
    response = client.post(reverse("sessions:cohort_create"), {**values, **overrides})
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not Cohort.objects.filter(name="Winter group").exists()


@pytest.mark.parametrize(
    ("overrides", "words"),
    [({"capacity": "0"}, "at least 1 place"), ({"facilitators": []}, "Choose one, two or three facilitators")],
)
def test_cohort_change_form_names_the_fix(client, overrides, words):
    cohort = cohort_with_sessions()
    facilitator = cohort.facilitators.first()
    client.force_login(facilitator)
    values = {"name": "Renamed", "facilitators": [facilitator.pk], "capacity": "8", "venue": "Room 9"}
    response = client.post(reverse("sessions:cohort_edit", kwargs={"pk": cohort.pk}), {**values, **overrides})
    assert response.status_code == 200
    assert words in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.name != "Renamed"


def test_cohort_form_creates_cohort_and_sessions(client):
    facilitator = FacilitatorFactory()

    programme = programme_with_plans()
    client.force_login(facilitator)
    start = timezone.localdate() + datetime.timedelta(days=10)
    form = {
        "programme": programme.pk,
        "name": "Winter group",
        "facilitators": [facilitator.pk],
        "start_date": start.isoformat(),
        "start_time": "13:00",
        "time_zone": "America/Toronto",
        "holiday_region": "CA-ON",
        "capacity": 30,
        "venue": "Room 2",
        "status": "recruiting",
    }
    response = client.post(reverse("sessions:cohort_create"), form)
    assert response.status_code == 200 or response.status_code == 302
    body = response.content.decode()
    assert "at most 12" in body
    response = client.post(reverse("sessions:cohort_create"), {**form, "capacity": 8})
    cohort = Cohort.objects.get(name="Winter group")
    assert response.status_code == 302 and response["Location"] == cohort.get_absolute_url()
    assert cohort.group_sessions.filter(kind="weekly").count() == 12
    assert cohort.group_sessions.filter(kind="booster").count() == 2


def test_invitation_link_creates_account_once_then_shows_a_clear_page(client):
    cohort = cohort_with_sessions()
    result = enrolment_invite(cohort=cohort, email="new@hospital.example", by=cohort.facilitators.first())
    url = reverse("sessions:invitation_accept", kwargs={"token": result.token})
    assert client.get(url).status_code == 200
    response = client.post(url, {"first_name": "Nia", "last_name": "Jones", "password": "a-calm-long-password"})
    enrolment = Enrolment.objects.get(participant__email="new@hospital.example")
    assert response["Location"] == reverse("sessions:enrolment_pack", kwargs={"pk": enrolment.pk})
    client.logout()
    again = client.post(url, {"first_name": "Eve", "last_name": "", "password": "another-long-password"})
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    wrong = client.get(reverse("sessions:invitation_accept", kwargs={"token": "not-a-token"}))
    assert wrong.status_code == 410 and "not one we know" in wrong.content.decode()


def test_expired_invitation_link_creates_no_account(client):

    cohort = cohort_with_sessions()
    result = enrolment_invite(cohort=cohort, email="late@hospital.example", by=cohort.facilitators.first())
    url = reverse("sessions:invitation_accept", kwargs={"token": result.token})
    with time_machine.travel(datetime.timedelta(days=20)):
        response = client.post(url, {"first_name": "Late", "last_name": "", "password": "a-calm-long-password"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()

    assert not User.objects.filter(email="late@hospital.example").exists()


def test_pack_acknowledge_then_facilitator_confirms_over_http(client):
    cohort = cohort_with_sessions()
    place = EnrolmentFactory(cohort=cohort)
    facilitator = cohort.facilitators.first()
    client.force_login(facilitator)
    confirm = reverse("sessions:enrolment_action", kwargs={"pk": place.pk, "action": "confirm"})
    refused = client.post(confirm, follow=True)
    assert "has not acknowledged the information pack" in refused.content.decode()
    client.force_login(place.participant)
    pack_url = reverse("sessions:enrolment_pack", kwargs={"pk": place.pk})
    assert "Who the group is for" in client.get(pack_url).content.decode()
    client.post(pack_url)
    client.force_login(facilitator)
    client.post(confirm)
    place.refresh_from_db()
    assert place.status == "enrolled" and place.place_number == 1


def test_facilitator_overrides_a_move_and_keeps_the_planned_date(client):
    facilitator = FacilitatorFactory()
    with time_machine.travel(SEPTEMBER_FIRST, tick=False):
        cohort = toronto_monday_cohort(facilitator)
        client.force_login(facilitator)
        detail = client.get(cohort.get_absolute_url()).content.decode()
        assert "Thanksgiving" in detail and "Keep the planned date" in detail
        week5 = cohort.group_sessions.get(number=5)
        url = reverse("sessions:session_reschedule", kwargs={"pk": week5.pk})
        assert 'value="2026-10-12"' in client.get(url + "?keep=planned").content.decode()
        response = client.post(url, {"local_date": "2026-10-12", "reason": "We meet on Thanksgiving"})
        assert response.status_code == 302
    week5.refresh_from_db()
    assert week5.local_date == datetime.date(2026, 10, 12) and week5.moved_reason == ""
    assert week5.sequence == 1


def test_keeping_a_moved_week_on_its_planned_date_brings_the_weeks_that_followed_it_back(client):
    """Thanksgiving pushed weeks 5-12 on by a week; keeping week 5 on Thanksgiving restores the weekly rhythm."""

    facilitator = FacilitatorFactory()
    with time_machine.travel(SEPTEMBER_FIRST, tick=False):
        cohort = toronto_monday_cohort(facilitator)
        place = enrol(cohort)
        # The service is closed on week 10's planned date: weeks 10-12 stay where the schedule put them.
        ClosureDate.objects.create(date=datetime.date(2026, 11, 16), description="Staff training day")
        weeks = {s.number: s for s in cohort.group_sessions.filter(kind="weekly")}
        assert [weeks[n].local_date - weeks[n].planned_date for n in (5, 6, 12)] == [datetime.timedelta(weeks=1)] * 3
        client.force_login(facilitator)
        url = reverse("sessions:session_reschedule", kwargs={"pk": weeks[5].pk})
        response = client.post(url, {"local_date": "2026-10-12", "reason": "We meet on Thanksgiving"})
        assert response.status_code == 302
    after = {s.number: s for s in cohort.group_sessions.filter(kind="weekly")}
    for number in range(5, 10):
        assert after[number].local_date == after[number].planned_date, number
        assert after[number].moved_reason == "" and after[number].sequence == 1
        assert after[number].starts_at.astimezone(zoneinfo.ZoneInfo("America/Toronto")).time() == datetime.time(13)
    for number in (10, 11, 12):
        assert after[number].local_date == weeks[number].local_date and after[number].sequence == 0
    told = Reminder.objects.filter(kind="session_changed", recipient=place.participant)
    assert sorted(int(r.subject_id) for r in told) == sorted(after[n].pk for n in range(5, 10))
