"""Journeys of a line manager (on a phone) and a service lead, each page checked for accessibility."""

from __future__ import annotations

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from facilitation.models import ProtectedTimeLine, ProtectedTimeRequest
from facilitation.services.protected_time import protected_time_request_draft, protected_time_submit
from reminders.models import Reminder
from tests.factories import PASSWORD, ParticipantFactory, ServiceLeadFactory, cohort_with_sessions, enrol

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.mark.protected_time
def test_manager_approves_part_of_a_request_and_declines_the_rest_with_a_reason_on_a_phone(journey) -> None:
    participant = ParticipantFactory(first_name="Amara")
    manager = participant.line_manager
    cohort = cohort_with_sessions()
    request = protected_time_request_draft(enrolment=enrol(cohort, participant))
    protected_time_submit(request=request, actor=participant)
    first, second, *rest = request.lines.order_by("starts_at")

    journey.sign_in_with_form(manager.email, PASSWORD)
    assert "Amara" in journey.main_text()
    journey.click(journey.link("Session by session"))
    for line in (first, second):
        journey.tap(journey.find(By.ID, f"line-{line.pk}"))
    journey.click(journey.button("Approve ticked sessions"))
    assert "Approved" in journey.main_text()

    for line in rest:
        journey.tap(journey.find(By.ID, f"line-{line.pk}"))
    journey.fill("reason", "The ward is short-staffed after the first fortnight; could we talk about cover?")
    main = journey.click(journey.button("Decline ticked sessions"))
    assert "Declined" in main

    request.refresh_from_db()
    decisions = dict(request.lines.values_list("pk", "decision"))
    assert decisions[first.pk] == decisions[second.pk] == ProtectedTimeLine.Decision.APPROVED
    assert {decisions[line.pk] for line in rest} == {ProtectedTimeLine.Decision.DECLINED}
    assert request.status == ProtectedTimeRequest.Status.PARTLY_APPROVED
    assert "short-staffed" in main  # the reason is on the request's history, for the participant to read


@pytest.mark.cohorts
def test_service_lead_opens_the_organisation_report_and_the_reminder_operations(journey) -> None:
    lead = ServiceLeadFactory(first_name="Grace")
    cohort = cohort_with_sessions(name="Winter group")
    for _person in range(3):
        enrol(cohort)
    failed = Reminder.objects.create(
        kind="pack_not_acknowledged",
        recipient=ParticipantFactory(first_name="Omar"),
        subject_type="group_sessions.enrolment",
        subject_id="1",
        due_at=timezone.now(),
        status=Reminder.Status.FAILED,
        attempts=5,
        last_error="Mail server refused the message",
    )

    journey.sign_in_as(lead)
    home = journey.visit("/service/")
    assert "Winter group" in home
    overview = journey.click(journey.link("Winter group"))
    assert "Sessions and attendance" in overview
    journey.visit("/service/")
    report = journey.click(journey.link("Organisation report"))
    assert "Winter group" in report
    journey.visit("/service/")
    operations = journey.click(journey.link("Reminders: counts, failures and retries"))
    assert "Mail server refused" in operations
    journey.click(journey.button("Retry all"))
    failed.refresh_from_db()
    assert failed.status != Reminder.Status.FAILED
    assert "sent again" in journey.main_text()
