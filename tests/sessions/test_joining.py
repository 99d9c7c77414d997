"""Joining a group safely: the join cut-off (item 4) and safeness conflicts (item 7), services and pages."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from programmes.models import Programme
from programmes.selectors import programme_export_text
from programmes.services.importing import programme_import
from reminders.models import Reminder
from reminders.rendering import render_parts
from sessions.models import Enrolment, GroupSession, Invitation, PlaceOverride
from sessions.selectors.joining import cohort_join_closed, safeness_conflicts
from sessions.selectors.places import cohort_pack_current
from sessions.services.enrolments import (
    enrolment_acknowledge,
    enrolment_confirm,
    enrolment_waitlist,
    enrolment_withdraw,
    waitlist_promote,
)
from sessions.services.group_sessions import group_session_hold
from sessions.services.invitations import enrolment_invite, invitation_accept
from sessions.services.joining import JoinClosed, SafenessWarning
from sessions.tasks import waitlists_tell_closed
from tests.factories import (
    PASSWORD,
    CohortFactory,
    EnrolmentFactory,
    FacilitatorFactory,
    ManagerFactory,
    ParticipantFactory,
    cohort_with_sessions,
    enrol,
    programme_with_plans,
)

pytestmark = [pytest.mark.safety, pytest.mark.django_db]


def acknowledged(cohort, participant=None):
    enrolment = EnrolmentFactory(cohort=cohort, participant=participant or ParticipantFactory())
    return enrolment_acknowledge(enrolment=enrolment, pack=cohort_pack_current(cohort=cohort), by=enrolment.participant)


def hold_week(cohort, number):
    session = cohort.group_sessions.get(kind="weekly", number=number)
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3), ends_at=timezone.now() - datetime.timedelta(hours=1)
    )
    session.refresh_from_db()
    return group_session_hold(group_session=session, by=cohort.facilitators.first())


# --- The join cut-off -------------------------------------------------------


def test_programme_default_closes_the_group_once_week_two_is_held():
    cohort = cohort_with_sessions(capacity=2)
    assert cohort.programme.join_closes_after_week == 2
    assert not cohort_join_closed(cohort=cohort)
    hold_week(cohort, 1)
    assert not cohort_join_closed(cohort=cohort)
    hold_week(cohort, 2)
    assert cohort_join_closed(cohort=cohort)


def test_a_programme_without_a_cutoff_stays_open():
    cohort = cohort_with_sessions()
    Programme.objects.filter(pk=cohort.programme_id).update(join_closes_after_week=None)
    cohort.programme.refresh_from_db()
    hold_week(cohort, 2)
    assert not cohort_join_closed(cohort=cohort)


def test_a_week_whose_time_has_passed_counts_as_held_even_if_not_marked():
    cohort = cohort_with_sessions()
    week_two = cohort.group_sessions.get(number=2)
    GroupSession.objects.filter(pk=week_two.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3), ends_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert cohort_join_closed(cohort=cohort)


def test_invitations_stop_after_the_cutoff_with_a_clear_reason():
    cohort = cohort_with_sessions()
    hold_week(cohort, 2)
    person = ParticipantFactory()
    with pytest.raises(JoinClosed, match="closed to new people once week 2 was held"):
        enrolment_invite(cohort=cohort, email=person.email, by=cohort.facilitators.first())
    with pytest.raises(JoinClosed):
        enrolment_invite(cohort=cohort, email="new.person@hospital.example", by=cohort.facilitators.first())
    assert not Enrolment.objects.filter(cohort=cohort).exists()
    assert not Invitation.objects.filter(cohort=cohort).exists()


def test_a_blank_reason_is_no_reason():
    cohort = cohort_with_sessions()
    hold_week(cohort, 2)
    with pytest.raises(JoinClosed):
        enrolment_invite(cohort=cohort, email="x@hospital.example", by=cohort.facilitators.first(), reason="   ")
    assert not PlaceOverride.objects.exists()


def test_the_closed_message_suggests_the_next_cohort_of_the_same_programme():
    cohort = cohort_with_sessions()
    later = CohortFactory(
        programme=cohort.programme, name="Autumn group", start_date=cohort.start_date + datetime.timedelta(weeks=16)
    )
    hold_week(cohort, 2)
    with pytest.raises(JoinClosed) as caught:
        enrolment_invite(cohort=cohort, email="x@hospital.example", by=cohort.facilitators.first())
    assert "Autumn group" in caught.value.message
    assert caught.value.suggestion == later


def test_a_facilitator_overrides_for_one_person_with_a_reason_and_the_place_can_be_confirmed():
    cohort = cohort_with_sessions()
    facilitator = cohort.facilitators.first()
    hold_week(cohort, 2)
    person = ParticipantFactory()
    result = enrolment_invite(
        cohort=cohort, email=person.email, by=facilitator, reason="Was booked for week 1, off sick; knows the group."
    )
    override = PlaceOverride.objects.get(cohort=cohort, kind=PlaceOverride.Kind.LATE_JOIN)
    assert override.enrolment == result.enrolment
    assert override.decided_by == facilitator
    assert "off sick" in override.reason
    enrolment_acknowledge(enrolment=result.enrolment, pack=cohort_pack_current(cohort=cohort), by=person)
    confirmed = enrolment_confirm(enrolment=result.enrolment, by=facilitator)
    assert confirmed.status == Enrolment.Status.ENROLLED
    # The override was for that one person: the next one is still refused.
    with pytest.raises(JoinClosed):
        enrolment_invite(cohort=cohort, email=ParticipantFactory().email, by=facilitator)


def test_an_invitation_link_override_follows_the_new_account():
    cohort = cohort_with_sessions()
    hold_week(cohort, 2)
    result = enrolment_invite(
        cohort=cohort, email="Late.Joiner@hospital.example", by=cohort.facilitators.first(), reason="Agreed in week 1."
    )
    enrolment = invitation_accept(token=result.token, first_name="Lee", last_name="", password=PASSWORD)
    assert PlaceOverride.objects.get(kind="late_join").enrolment == enrolment


def test_confirming_after_the_cutoff_is_refused_without_a_reason_and_allowed_with_one():
    cohort = cohort_with_sessions()
    facilitator = cohort.facilitators.first()
    waiting = acknowledged(cohort)
    hold_week(cohort, 2)
    with pytest.raises(JoinClosed):
        enrolment_confirm(enrolment=waiting, by=facilitator)
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.ACKNOWLEDGED
    enrolment_confirm(enrolment=waiting, by=facilitator, reason="Missed week 2 only through a night shift.")
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.ENROLLED


def test_waitlist_promotion_stops_after_the_cutoff():
    cohort = cohort_with_sessions(capacity=1)
    facilitator = cohort.facilitators.first()
    holder = enrol(cohort)
    waiting = enrolment_waitlist(enrolment=acknowledged(cohort), by=facilitator)
    hold_week(cohort, 2)
    enrolment_withdraw(enrolment=holder, reason="", by=holder.participant)
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.WAITLISTED
    assert waitlist_promote(cohort=cohort, by=facilitator) is None


def test_before_the_cutoff_the_waitlist_still_moves_up():
    cohort = cohort_with_sessions(capacity=1)
    facilitator = cohort.facilitators.first()
    holder = enrol(cohort)
    waiting = enrolment_waitlist(enrolment=acknowledged(cohort), by=facilitator)
    hold_week(cohort, 1)
    enrolment_withdraw(enrolment=holder, reason="", by=holder.participant)
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.ENROLLED


def test_the_waitlist_is_told_kindly_once_when_the_cutoff_week_is_held():
    cohort = cohort_with_sessions(capacity=1)
    facilitator = cohort.facilitators.first()
    enrol(cohort)
    waiting = [enrolment_waitlist(enrolment=acknowledged(cohort), by=facilitator) for _ in range(2)]
    hold_week(cohort, 1)
    assert not Reminder.objects.filter(kind="waitlist_closed").exists()
    hold_week(cohort, 2)
    hold_week(cohort, 3)
    rows = Reminder.objects.filter(kind="waitlist_closed")
    assert sorted(r.recipient_id for r in rows) == sorted(e.participant_id for e in waiting)
    subject, text, _html = render_parts(rows[0])
    assert subject == f"{cohort.programme.neutral_label}: about your place on the waiting list"
    assert "later group" in text
    # Someone waitlisted after the group closed hears at once too.
    late = enrolment_waitlist(enrolment=acknowledged(cohort), by=facilitator)
    assert Reminder.objects.filter(kind="waitlist_closed", recipient=late.participant).count() == 1


# --- Safeness conflicts -----------------------------------------------------


def test_line_manager_in_the_group_warns_and_suggests_the_next_cohort():
    cohort = cohort_with_sessions()
    later = CohortFactory(programme=cohort.programme, start_date=cohort.start_date + datetime.timedelta(weeks=14))
    manager = ManagerFactory(is_participant=True, first_name="Helen", last_name="Shaw")
    enrol(cohort, manager)
    person = ParticipantFactory(line_manager=manager)
    with pytest.raises(SafenessWarning) as caught:
        enrolment_invite(cohort=cohort, email=person.email, by=cohort.facilitators.first())
    assert "Their line manager, Helen Shaw, is already in this group." in caught.value.message
    assert later.name in caught.value.message
    assert [c.relation for c in caught.value.conflicts] == ["line_manager"]
    assert not Enrolment.objects.filter(participant=person).exists()


def test_a_direct_report_facilitating_or_in_the_group_warns():
    manager = ManagerFactory(is_participant=True)
    report_facilitator = FacilitatorFactory(line_manager=manager)
    cohort = cohort_with_sessions(facilitators=[report_facilitator])
    conflicts = safeness_conflicts(cohort=cohort, person=manager)
    assert [(c.other, c.relation, c.facilitating) for c in conflicts] == [(report_facilitator, "direct_report", True)]
    report = ParticipantFactory(line_manager=manager)
    enrol(cohort, report)
    relations = {(c.other.pk, c.relation) for c in safeness_conflicts(cohort=cohort, person=manager)}
    assert (report.pk, "direct_report") in relations


def test_withdrawn_people_are_not_conflicts():
    cohort = cohort_with_sessions()
    manager = ManagerFactory(is_participant=True)
    place = enrol(cohort, manager)
    enrolment_withdraw(enrolment=place, reason="", by=manager)
    assert safeness_conflicts(cohort=cohort, person=ParticipantFactory(line_manager=manager)) == []


def test_same_team_counts_only_when_the_service_turns_it_on():
    cohort = cohort_with_sessions()
    colleague = ParticipantFactory(team="Ward 7 ")
    enrol(cohort, colleague)
    person = ParticipantFactory(team="ward 7")
    assert safeness_conflicts(cohort=cohort, person=person) == []
    with override_settings(STEADY_SAFENESS_SAME_TEAM=True):
        assert [c.relation for c in safeness_conflicts(cohort=cohort, person=person)] == ["same_team"]
        with pytest.raises(SafenessWarning, match="from the same team"):
            enrolment_invite(cohort=cohort, email=person.email, by=cohort.facilitators.first())


def test_proceeding_needs_a_reason_which_is_recorded_and_holds_for_the_confirmation():
    cohort = cohort_with_sessions()
    facilitator = cohort.facilitators.first()
    manager = ManagerFactory(is_participant=True)
    enrol(cohort, manager)
    person = ParticipantFactory(line_manager=manager)
    with pytest.raises(SafenessWarning):
        enrolment_invite(cohort=cohort, email=person.email, by=facilitator, reason="")
    result = enrolment_invite(
        cohort=cohort, email=person.email, by=facilitator, reason="Both asked for this group; discussed with each."
    )
    override = PlaceOverride.objects.get(kind=PlaceOverride.Kind.SAFENESS)
    assert override.enrolment == result.enrolment and "line manager" in override.warning
    enrolment_acknowledge(enrolment=result.enrolment, pack=cohort_pack_current(cohort=cohort), by=person)
    assert enrolment_confirm(enrolment=result.enrolment, by=facilitator).status == Enrolment.Status.ENROLLED


def test_a_conflict_arising_after_the_invitation_warns_at_confirmation():
    cohort = cohort_with_sessions()
    facilitator = cohort.facilitators.first()
    manager = ManagerFactory(is_participant=True)
    waiting = acknowledged(cohort, ParticipantFactory(line_manager=manager))
    enrol(cohort, manager)
    with pytest.raises(SafenessWarning):
        enrolment_confirm(enrolment=waiting, by=facilitator)
    with pytest.raises(DomainError):
        enrolment_confirm(enrolment=waiting, by=None, reason="an automatic step has no one to give a reason")


# --- Pages ------------------------------------------------------------------


def test_invite_page_shows_the_warning_and_the_go_ahead_form_then_refuses_an_empty_reason(client):
    cohort = cohort_with_sessions()
    facilitator = cohort.facilitators.first()
    manager = ManagerFactory(is_participant=True, first_name="Helen", last_name="Shaw")
    enrol(cohort, manager)
    person = ParticipantFactory(line_manager=manager)
    client.force_login(facilitator)
    url = reverse("sessions:cohort_invite", args=[cohort.pk])
    response = client.post(url, {"email": person.email})
    assert response.status_code == 200
    assert "Their line manager, Helen Shaw" in response.content.decode()
    assert 'name="reason"' in response.content.decode()
    response = client.post(url, {"email": person.email, "reason": "  "})
    assert "Give a reason to go ahead" in response.content.decode()
    assert not Enrolment.objects.filter(participant=person).exists()
    response = client.post(url, {"email": person.email, "reason": "Discussed with both."})
    assert response.status_code == 302
    assert Enrolment.objects.filter(participant=person, cohort=cohort).exists()


def test_confirm_page_shows_the_closed_group_and_goes_ahead_with_a_reason(client):
    cohort = cohort_with_sessions()
    facilitator = cohort.facilitators.first()
    waiting = acknowledged(cohort)
    hold_week(cohort, 2)
    client.force_login(facilitator)
    url = reverse("sessions:enrolment_action", args=[waiting.pk, "confirm"])
    response = client.post(url)
    assert "closed to new people" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.ACKNOWLEDGED
    assert client.post(url, {"reason": "Agreed before week 2."}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.ENROLLED


def test_no_manager_or_participant_reaches_the_warning(client):
    cohort = cohort_with_sessions()
    manager = ManagerFactory(is_participant=True)
    enrol(cohort, manager)
    person = ParticipantFactory(line_manager=manager)
    waiting = acknowledged(cohort, person)
    other_participant = enrol(cohort).participant
    for outsider in (manager, other_participant, person, FacilitatorFactory()):
        client.force_login(outsider)
        invite = client.post(reverse("sessions:cohort_invite", args=[cohort.pk]), {"email": person.email})
        confirm = client.post(reverse("sessions:enrolment_action", args=[waiting.pk, "confirm"]))
        assert invite.status_code in (403, 404)
        assert confirm.status_code in (403, 404)
        assert "line manager" not in invite.content.decode() + confirm.content.decode()
        home = client.get(reverse("home"), follow=True)
        assert "line manager, " not in home.content.decode()


def test_the_cutoff_week_travels_in_programme_export_and_import():
    programme = programme_with_plans(join_closes_after_week=4)
    text = programme_export_text(programme=programme)
    assert "join_closes_after_week: 4" in text
    moved = text.replace("  version: 1\n", "  version: 8\n", 1)
    assert programme_import(text=moved, by=None)[0].join_closes_after_week == 4
    open_group = moved.replace("join_closes_after_week: 4", "join_closes_after_week: null").replace(
        "  version: 8\n", "  version: 9\n", 1
    )
    assert programme_import(text=open_group, by=None)[0].join_closes_after_week is None


def test_the_cohort_page_says_the_group_is_closed_and_lists_the_reasons_given(client):
    cohort = cohort_with_sessions()
    facilitator = cohort.facilitators.first()
    hold_week(cohort, 2)
    enrolment_invite(cohort=cohort, email="late@hospital.example", by=facilitator, reason="Agreed before week 2.")
    client.force_login(facilitator)
    body = client.get(reverse("sessions:cohort_detail", args=[cohort.pk])).content.decode()
    assert "Closed to new people since week 2 was held" in body
    assert "Agreed before week 2." in body
    client.force_login(enrol(cohort).participant)
    assert client.get(reverse("sessions:cohort_detail", args=[cohort.pk])).status_code in (403, 404)


def test_the_hourly_job_tells_the_waitlist_of_a_group_whose_cutoff_passed_unmarked_once():
    cohort = cohort_with_sessions(capacity=1)
    facilitator = cohort.facilitators.first()
    enrol(cohort)
    waiting = enrolment_waitlist(enrolment=acknowledged(cohort), by=facilitator)
    assert waitlists_tell_closed() == 0
    week_two = cohort.group_sessions.get(number=2)
    GroupSession.objects.filter(pk=week_two.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3), ends_at=timezone.now() - datetime.timedelta(hours=1)
    )
    waitlists_tell_closed()
    waitlists_tell_closed()
    assert Reminder.objects.filter(kind="waitlist_closed", recipient=waiting.participant).count() == 1


@pytest.mark.parametrize("size", [1, 5])
def test_the_cohort_page_runs_constant_queries_with_reasons_and_places(client, django_assert_num_queries, size):
    cohort = cohort_with_sessions(capacity=10)
    facilitator = cohort.facilitators.first()
    for n in range(size):
        enrol(cohort)
        enrolment_invite(cohort=cohort, email=f"p{n}@hospital.example", by=facilitator, reason="ok")
        PlaceOverride.objects.create(
            cohort=cohort, kind="late_join", email=f"p{n}@hospital.example", reason="Agreed.", decided_by=facilitator
        )
    client.force_login(facilitator)
    # session, user, bell, cohort, sessions, places, invitations, facilitators, closed?, reasons
    with django_assert_num_queries(10):
        body = client.get(reverse("sessions:cohort_detail", args=[cohort.pk])).content.decode()
    assert body.count("Agreed.") == size
