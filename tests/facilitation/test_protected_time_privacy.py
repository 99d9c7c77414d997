"""A manager learns nothing clinical: not from pages, not from the .ics, not from any email."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from facilitation.services.protected_time import protected_time_comment
from facilitation.services.protected_time_decisions import protected_time_approve, protected_time_decline
from facilitation.tasks import protected_time_track, protected_time_weekly_digest
from programmes.models import SessionPlan
from reminders.models import Reminder
from reminders.registry import get_kind
from sessions.models import Attendance, CheckinOffer, Enrolment, GroupSession
from sessions.services.checkin_offers import checkin_offers_make
from sessions.services.invitations import enrolment_invite
from tests.facilitation.factories_protected_time import small_cohort, submitted
from tests.factories import (
    FacilitatorFactory,
    ManagerFactory,
    ParticipantFactory,
    ServiceLeadFactory,
    cohort_with_sessions,
    enrol,
)

pytestmark = [pytest.mark.protected_time, pytest.mark.django_db]

PLANTED = [
    "ZQX-attendance-note-7731",
    "ZQX-apologies-reason-5120",
    "ZQX-withdrawal-reason-9904",
    "ZQX-group-notes-2281",
    "ZQX-session-plan-title-6402",
]
CLINICAL_WORDS = ["therapy", "therapeutic", "compassion", "cft", "mental health", "clinical", "burnout"]


def plant_clinical_data(cohort, participant) -> None:
    sessions = list(cohort.group_sessions.order_by("starts_at"))
    Attendance.objects.create(group_session=sessions[0], participant=participant, status="late", note=PLANTED[0])
    Attendance.objects.create(group_session=sessions[1], participant=participant, status="apologies", note=PLANTED[1])
    GroupSession.objects.filter(pk=sessions[0].pk).update(group_notes=PLANTED[3])
    plan = sessions[0].session_plan
    plan.title = PLANTED[4]
    plan.save(update_fields=["title"])
    # The same person left an earlier group, with a reason only facilitators may read.
    earlier = enrol(small_cohort(), participant)
    Enrolment.objects.filter(pk=earlier.pk).update(
        status="withdrawn", place_number=None, withdrawal_reason=PLANTED[2], withdrawn_at=timezone.now()
    )


def assert_nothing_clinical(text: str, *, where: str) -> None:
    lowered = text.lower()
    for planted in PLANTED:
        assert planted.lower() not in lowered, f"{planted} leaked into {where}"
    for word in CLINICAL_WORDS:
        # As a word: "cft" may turn up inside a random token (CSRF, calendar address).
        assert not re.search(rf"\b{re.escape(word)}\b", lowered), f"the word {word!r} appears in {where}"


def render_reminder(reminder: Reminder) -> str:
    kind = get_kind(reminder.kind)
    context = kind.context(reminder)
    return "\n".join(
        render_to_string(f"{kind.template}{suffix}", context) for suffix in ("_subject.txt", ".txt", ".html")
    )


def test_manager_pages_ics_and_emails_hold_nothing_clinical(client: Client) -> None:
    manager = ManagerFactory(first_name="Helen")
    ServiceLeadFactory()
    with time_machine.travel(datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        cohort = small_cohort(start_date=datetime.date(2027, 3, 4))
        participant = ParticipantFactory(line_manager=manager)
        plant_clinical_data(cohort, participant)
        request = submitted(cohort, participant)
        other = submitted(cohort, ParticipantFactory(line_manager=manager))
        first = request.lines.order_by("starts_at").first()
        protected_time_approve(request=request, actor=manager, line_ids=[first.pk])
        protected_time_comment(request=request, actor=manager, comment="Swap the Tuesday shift")
        client.force_login(manager)
        pending = client.get(reverse("facilitation:manager_home")).content.decode()
        assert participant.full_name in pending
        assert_nothing_clinical(pending, where="the pending list with requests waiting")
    with time_machine.travel(datetime.datetime(2027, 3, 1, 15, 0, tzinfo=datetime.UTC), tick=False):
        protected_time_track()  # first-session alert
    with time_machine.travel(datetime.datetime(2027, 3, 8, 10, 0, tzinfo=datetime.UTC), tick=False):
        protected_time_track()  # reminder and escalation
        protected_time_weekly_digest()
        protected_time_decline(request=request, actor=manager, reason="Rota gap")
        protected_time_approve(request=other, actor=manager)
    pages = {
        "pending list": reverse("facilitation:manager_home"),
        "request page": reverse("facilitation:protected_time_decide", kwargs={"pk": request.pk}),
        "history": reverse("facilitation:protected_time_history"),
        "calendar": reverse("facilitation:protected_time_calendar"),
        "deputies": reverse("facilitation:protected_time_delegations"),
    }
    with time_machine.travel(datetime.datetime(2027, 3, 8, 11, 0, tzinfo=datetime.UTC), tick=False):
        client.force_login(manager)
        for where, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, where
            assert_nothing_clinical(response.content.decode(), where=where)
        assert participant.full_name in client.get(pages["history"]).content.decode()
        assert b": protected time" in client.get(pages["calendar"]).content

    rows = list(Reminder.objects.all())
    assert {row.kind for row in rows} >= {
        "protected_time_submitted",
        "protected_time_decided",
        "protected_time_manager_reminder",
        "protected_time_escalation",
        "protected_time_first_session_alert",
        "protected_time_manager_digest",
    }
    for row in rows:
        body = render_reminder(row)
        assert "Staff wellbeing group" in body or row.kind == "protected_time_manager_digest"
        assert_nothing_clinical(body, where=f"the {row.kind} email")
        assert_nothing_clinical(str(row.context), where=f"the {row.kind} row")


def test_clinical_check_catches_a_leak() -> None:
    """The checker itself: a page that did show an attendance note would fail."""
    with pytest.raises(AssertionError, match="leaked"):
        assert_nothing_clinical(f"<p>{PLANTED[0]}</p>", where="a page")
    with pytest.raises(AssertionError, match="compassion"):
        assert_nothing_clinical("Compassion at work 3", where="a page")


@pytest.mark.safety
def test_manager_pages_show_no_check_in_offer_or_safeness_warning(client: Client) -> None:
    """A manager whose own report is in the group (a recorded safeness reason) and was offered a check-in
    sees neither: not on their pages, not at the offer's address."""
    manager = ManagerFactory(first_name="Helen", is_participant=True)
    facilitator = FacilitatorFactory()
    cohort = cohort_with_sessions(facilitators=[facilitator])
    enrol(cohort, manager)
    report = ParticipantFactory(line_manager=manager)
    invited = enrolment_invite(cohort=cohort, email=report.email, by=facilitator, reason="ZQX-safeness-reason-4410")
    Enrolment.objects.filter(pk=invited.enrolment.pk).update(status="enrolled", place_number=2)
    SessionPlan.objects.filter(pk=cohort.group_sessions.get(number=1).session_plan_id).update(intensity="high")
    first = cohort.group_sessions.get(number=1)
    with time_machine.travel(first.ends_at + datetime.timedelta(minutes=1), tick=False):
        [offer] = checkin_offers_make(group_session=first, participants=[report], by=facilitator)
    CheckinOffer.objects.filter(pk=offer.pk).update(created_at=timezone.now() - datetime.timedelta(days=4))
    client.force_login(manager)
    assert client.get(reverse("sessions:checkin_offer", args=[offer.pk])).status_code == 404
    for url in (
        reverse("facilitation:manager_home"),
        reverse("facilitation:protected_time_history"),
        reverse("facilitation:participant_home"),
    ):
        body = client.get(url).content.decode()
        assert "ZQX-safeness-reason-4410" not in body
        assert "line-manage" not in body and "line manager, " not in body
        assert "one-to-one conversation" not in body.lower()
        assert "offers not taken up" not in body.lower()
    client.force_login(facilitator)
    assert report.full_name in client.get(reverse("facilitation:facilitator_home")).content.decode()
