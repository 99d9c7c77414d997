"""Help requests are always answered: the deadline, the ladder, handling, leaving, privacy, crisis contacts."""

from __future__ import annotations

import datetime
from datetime import UTC, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from core.models import EscalationStep
from core.tasks import escalation_ladders_walk
from reminders.models import Reminder
from reminders.services.dispatch import reminders_claim_due
from reminders.services.sending import reminders_send_batch
from sessions.models import Enrolment, HelpRequest
from sessions.services.checkins import checkin_book
from sessions.services.enrolments import enrolment_withdraw
from sessions.services.help_requests import HelpWindowClosed, help_request_create
from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory, ServiceLeadFactory
from tests.sessions.factories_checkins import cohort_with_people, weekly_window

pytestmark = [pytest.mark.safety, pytest.mark.django_db]

# Thursday 25 March 2027, 10:00 in London. Good Friday (26th) and Easter Monday (29th) are bank holidays.
ASKED = datetime.datetime(2027, 3, 25, 10, 0, tzinfo=UTC)


def send_due() -> int:
    token, ids = reminders_claim_due()
    return reminders_send_batch(ids=ids, token=token)


def world(facilitators: int = 2):
    with time_machine.travel(ASKED - timedelta(days=30), tick=False):
        cohort, facilitator, people = cohort_with_people(participants=2, start_date=datetime.date(2027, 3, 1))
        extra = [FacilitatorFactory() for _ in range(facilitators - 1)]
        cohort.facilitators.add(*extra)
    return cohort, [facilitator, *extra], people


def test_deadline_skips_bank_holidays_and_each_ladder_step_fires_once_with_the_job_run_twice() -> None:
    lead = ServiceLeadFactory()
    cohort, facilitators, (amara, _ben) = world()
    with time_machine.travel(ASKED, tick=False):
        request = help_request_create(participant=amara, cohort=cohort, message="A hard week.")
    # Two working days: Tuesday 30 and Wednesday 31 March (Friday and Monday are bank holidays).
    assert request.respond_by == datetime.datetime(2027, 3, 31, 9, 0, tzinfo=UTC)  # 10:00 BST
    with time_machine.travel(datetime.datetime(2027, 3, 30, 12, 0, tzinfo=UTC), tick=False):
        assert escalation_ladders_walk() == 0
    with time_machine.travel(datetime.datetime(2027, 3, 31, 8, 59, tzinfo=UTC), tick=False):
        assert escalation_ladders_walk() == 0
    with time_machine.travel(datetime.datetime(2027, 3, 31, 9, 1, tzinfo=UTC), tick=False):
        assert escalation_ladders_walk() == 1
        assert escalation_ladders_walk() == 0
    overdue = Reminder.objects.filter(kind="help_request_overdue")
    assert sorted(overdue.values_list("recipient_id", flat=True)) == sorted(f.pk for f in facilitators)
    assert not Reminder.objects.filter(kind="help_request_escalated").exists()
    with time_machine.travel(datetime.datetime(2027, 4, 1, 9, 1, tzinfo=UTC), tick=False):  # one working day on
        assert escalation_ladders_walk() == 1
        assert escalation_ladders_walk() == 0
    assert list(Reminder.objects.filter(kind="help_request_escalated").values_list("recipient_id", flat=True)) == [
        lead.pk
    ]
    assert sorted(EscalationStep.objects.filter(ladder="help_request").values_list("step", flat=True)) == [
        "facilitators",
        "service_lead",
    ]


def test_a_handled_request_climbs_no_further_and_a_note_is_required(client) -> None:
    ServiceLeadFactory()
    cohort, (facilitator, _other), (amara, _ben) = world()
    with time_machine.travel(ASKED, tick=False):
        request = help_request_create(participant=amara, cohort=cohort)
    client.force_login(facilitator)
    url = reverse("sessions:help_request_handle", args=[request.pk])
    client.post(url, {"note": ""})
    assert HelpRequest.objects.get().status == "open"
    client.post(url, {"note": "Phoned; we talked it through."})
    request.refresh_from_db()
    assert (request.status, request.handled_by, request.handled_note) == (
        "handled",
        facilitator,
        "Phoned; we talked it through.",
    )
    with time_machine.travel(datetime.datetime(2027, 4, 2, 12, 0, tzinfo=UTC), tick=False):
        assert escalation_ladders_walk() == 0
    assert not EscalationStep.objects.filter(ladder="help_request").exists()


def test_booking_a_check_in_from_the_request_closes_it() -> None:
    now = datetime.datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # Monday
    with time_machine.travel(now, tick=False):
        cohort, facilitator, (amara, _ben) = cohort_with_people(participants=2)
        weekly_window(facilitator, weekday=0, start="09:00", end="11:00", minutes=30)
        request = help_request_create(participant=amara, cohort=cohort)
        checkin_book(
            actor=facilitator,
            participant=amara,
            facilitator=facilitator,
            cohort=cohort,
            kind="on_request",
            starts_at=datetime.datetime(2026, 6, 8, 8, 0, tzinfo=UTC),
        )
    request.refresh_from_db()
    assert request.status == "handled" and request.handled_by == facilitator
    assert request.handled_note.startswith("Check-in booked for")
    assert request.checkins.get().kind == "on_request"


def test_the_facilitator_booking_link_preselects_i_would_like_to_talk(client) -> None:
    cohort, (facilitator, _other), (amara, _ben) = world()
    help_request_create(participant=amara, cohort=cohort)
    client.force_login(facilitator)
    home = client.get(reverse("facilitation:facilitator_home")).content.decode()
    link = reverse("sessions:checkin_book_for", args=[amara.pk]) + "?kind=on_request"
    assert link in home
    page = client.get(link).content.decode()
    assert 'value="on_request" selected' in page or 'value="on_request" checked' in page


def test_confirmation_says_when_and_shows_the_crisis_contacts(client) -> None:
    cohort, _facilitators, (amara, _ben) = world()
    with time_machine.travel(ASKED, tick=False):
        client.force_login(amara)
        response = client.post(reverse("sessions:help_request_create"), {"cohort": cohort.pk, "message": "Hi"})
        page = client.get(response["Location"]).content.decode()
    assert "Wednesday 31 March, 10:00" in page
    assert "Samaritans" in page and "116 123" in page and "999" in page


def test_toronto_people_see_988(client) -> None:
    with time_machine.travel(ASKED - timedelta(days=30), tick=False):
        _cohort, _facilitator, (amara, _ben) = cohort_with_people(
            participants=2, time_zone="America/Toronto", holiday_region="CA-ON", start_date=datetime.date(2027, 3, 1)
        )
    client.force_login(amara)
    page = client.get(reverse("facilitation:participant_home")).content.decode()
    assert "988" in page and "Samaritans" not in page


@pytest.mark.parametrize("status", ["invited", "enrolled", "completed", "withdrawn"])
def test_i_would_like_to_talk_is_at_the_top_of_the_home_at_every_stage(client, status) -> None:
    _cohort, _facilitators, (amara, _ben) = world()
    Enrolment.objects.filter(participant=amara).update(
        status=status,
        place_number=None if status in ("invited", "withdrawn") else 1,
        withdrawn_at=ASKED if status == "withdrawn" else None,
    )
    with time_machine.travel(ASKED + timedelta(days=1), tick=False):
        client.force_login(amara)
        page = client.get(reverse("facilitation:participant_home")).content.decode()
    talk = page.index(reverse("sessions:help_request_create"))
    assert talk < page.index("<h2")  # before any section of the page
    assert page.index('id="crisis-contacts"') > talk  # and the contacts in the footer


def test_a_person_who_left_may_ask_for_eight_weeks_then_is_refused_kindly_with_the_contacts(client) -> None:
    cohort, (_facilitator, _other), (amara, _ben) = world()
    enrolment = Enrolment.objects.get(participant=amara)
    with time_machine.travel(ASKED, tick=False):
        enrolment_withdraw(enrolment=enrolment, reason="", by=amara)
    with time_machine.travel(ASKED + timedelta(weeks=8) - timedelta(hours=1), tick=False):
        assert help_request_create(participant=amara, cohort=cohort).status == "open"
    HelpRequest.objects.update(status="handled")
    with time_machine.travel(ASKED + timedelta(weeks=8, hours=1), tick=False):
        client.force_login(amara)
        with pytest.raises(HelpWindowClosed):
            help_request_create(participant=amara, cohort=cohort)
        response = client.post(reverse("sessions:help_request_create"), {"cohort": cohort.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert "You are not on your own" in page and "116 123" in page
    assert HelpRequest.objects.filter(status="open").count() == 0


def test_withdrawal_tells_the_facilitators_at_once_in_app_and_by_email_with_a_neutral_subject(
    django_capture_on_commit_callbacks,
) -> None:
    _cohort, facilitators, (amara, _ben) = world()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_withdraw(enrolment=Enrolment.objects.get(participant=amara), reason="Too much now", by=amara)
    notices = Reminder.objects.filter(kind="place_withdrawn_notice")
    assert sorted(notices.values_list("recipient_id", flat=True)) == sorted(f.pk for f in facilitators)
    assert all(n.due_at <= n.created_at + timedelta(seconds=1) for n in notices)
    send_due()
    sent = [m for m in mail.outbox if "change to your group" in m.subject]
    assert len(sent) == 2
    for message in sent:
        assert "Too much now" not in message.body
        assert "116 123" in message.body and "116 123" not in message.subject


def test_withdrawal_page_offers_a_talk_first_and_shows_the_crisis_contacts(client) -> None:
    cohort, _facilitators, (amara, _ben) = world()
    enrolment = Enrolment.objects.get(participant=amara)
    client.force_login(amara)
    page = client.get(reverse("sessions:enrolment_leave", args=[enrolment.pk])).content.decode()
    assert page.index("Talk to a facilitator first") < page.index('name="reason"')
    assert "116 123" in page
    response = client.post(
        reverse("sessions:help_request_create"),
        {"cohort": cohort.pk, "next": reverse("sessions:enrolment_leave", args=[enrolment.pk])},
    )
    assert response["Location"] == reverse("sessions:enrolment_leave", args=[enrolment.pk])
    assert HelpRequest.objects.filter(participant=amara, status="open").exists()
    assert Enrolment.objects.get(pk=enrolment.pk).status == "enrolled"


def test_help_emails_carry_the_crisis_contacts_in_the_body_never_the_subject() -> None:
    ServiceLeadFactory()
    cohort, _facilitators, (amara, _ben) = world()
    with time_machine.travel(ASKED, tick=False):
        help_request_create(participant=amara, cohort=cohort, message="Week 5 stayed with me.")
    with time_machine.travel(datetime.datetime(2027, 4, 1, 9, 1, tzinfo=UTC), tick=False):
        escalation_ladders_walk()
        send_due()
    assert len(mail.outbox) == 5  # asked (2 facilitators), overdue (2), escalated (1 lead)
    for message in mail.outbox:
        assert "116 123" in message.body
        assert "116 123" not in message.subject and "talk" not in message.subject.lower()
        assert "Week 5 stayed with me." not in message.body


def test_no_manager_and_no_other_participant_sees_a_help_request_or_an_escalation(client) -> None:
    ServiceLeadFactory()
    cohort, _facilitators, (amara, ben) = world()
    with time_machine.travel(ASKED, tick=False):
        request = help_request_create(participant=amara, cohort=cohort, message="Week 5 stayed with me.")
    manager = ManagerFactory()
    amara.line_manager = manager
    amara.save(update_fields=["line_manager"])
    for person in (manager, ben, ParticipantFactory(), FacilitatorFactory()):
        client.force_login(person)
        detail = client.get(reverse("sessions:help_request_detail", args=[request.pk]))
        assert detail.status_code in (403, 404)
        handle = client.post(reverse("sessions:help_request_handle", args=[request.pk]), {"note": "x"})
        assert handle.status_code in (403, 404)
    ManagerFactory(is_participant=True)
    client.force_login(ben)
    assert client.get(reverse("sessions:help_request_detail", args=[request.pk])).status_code == 404
    with time_machine.travel(datetime.datetime(2027, 4, 1, 9, 1, tzinfo=UTC), tick=False):
        escalation_ladders_walk()
    client.force_login(manager)
    assert client.get(reverse("facilitation:lead_home")).status_code == 403
    recipients = set(Reminder.objects.filter(kind__startswith="help_").values_list("recipient_id", flat=True))
    assert manager.pk not in recipients and ben.pk not in recipients
    assert HelpRequest.objects.get().status == "open"


def test_the_service_lead_sees_open_escalations_on_their_home_without_the_message(client) -> None:
    lead = ServiceLeadFactory()
    cohort, _facilitators, (amara, _ben) = world()
    with time_machine.travel(ASKED, tick=False):
        help_request_create(participant=amara, cohort=cohort, message="Week 5 stayed with me.")
    client.force_login(lead)
    assert amara.full_name not in client.get(reverse("facilitation:lead_home")).content.decode()
    with time_machine.travel(datetime.datetime(2027, 4, 1, 9, 1, tzinfo=UTC), tick=False):
        escalation_ladders_walk()
        client.force_login(lead)
        page = client.get(reverse("facilitation:lead_home")).content.decode()
    assert amara.full_name in page and cohort.name in page
    assert "Week 5 stayed with me." not in page


def test_a_person_who_left_keeps_the_pack_and_the_handouts_released_before_they_left(client) -> None:
    from programmes.models import Material  # noqa: PLC0415
    from sessions.models import GroupSession  # noqa: PLC0415

    cohort, _facilitators, (amara, _ben) = world()
    sessions = list(GroupSession.objects.filter(cohort=cohort, kind="weekly").order_by("starts_at"))
    first, later = sessions[0], sessions[5]
    GroupSession.objects.filter(pk__in=[s.pk for s in sessions[:3]]).update(status="held")
    before = Material.objects.create(
        session_plan=first.session_plan, title="Settling breath", release="after_session", audience="participants"
    )
    after = Material.objects.create(
        session_plan=later.session_plan, title="Later practice", release="after_session", audience="participants"
    )
    enrolment = Enrolment.objects.get(participant=amara)
    with time_machine.travel(sessions[3].starts_at - timedelta(days=1), tick=False):
        enrolment_withdraw(enrolment=enrolment, reason="", by=amara)
    GroupSession.objects.filter(pk=later.pk).update(status="held")
    with time_machine.travel(later.starts_at + timedelta(days=1), tick=False):
        client.force_login(amara)
        home = client.get(reverse("facilitation:participant_home")).content.decode()
        assert "Settling breath" in home and "Later practice" not in home
        assert client.get(reverse("sessions:material_detail", args=[before.pk])).status_code == 200
        assert client.get(reverse("sessions:material_detail", args=[after.pk])).status_code == 404
        assert client.get(reverse("sessions:enrolment_pack", args=[enrolment.pk])).status_code == 200
        assert "116 123" in home


def test_a_facilitator_can_book_a_talk_with_a_person_who_left_and_asked(client) -> None:
    now = datetime.datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # Monday
    with time_machine.travel(now, tick=False):
        cohort, facilitator, (amara, _ben) = cohort_with_people(participants=2)
        weekly_window(facilitator, weekday=0, start="09:00", end="11:00", minutes=30)
        enrolment_withdraw(enrolment=Enrolment.objects.get(participant=amara), reason="", by=amara)
        client.force_login(facilitator)
        url = reverse("sessions:checkin_book_for", args=[amara.pk])
        assert client.get(url).status_code == 404  # no open request: nothing to answer
        request = help_request_create(participant=amara, cohort=cohort)
        assert client.get(url + "?kind=on_request").status_code == 200
        checkin_book(
            actor=facilitator,
            participant=amara,
            facilitator=facilitator,
            cohort=cohort,
            kind="on_request",
            starts_at=datetime.datetime(2026, 6, 8, 8, 0, tzinfo=UTC),
        )
    request.refresh_from_db()
    assert request.status == "handled"
