"""Journeys of each role in a real browser on a 375 px phone screen."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from facilitation.models import ProtectedTimeRequest
from facilitation.services.protected_time import protected_time_request_draft, protected_time_submit
from tests.browser.test_sign_in import sign_in
from tests.factories import ParticipantFactory, cohort_with_sessions, enrol
from tests.support.browser import wait_for_new_page, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def click(browser, element) -> None:
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


@pytest.mark.protected_time
def test_manager_approves_part_of_a_request_on_a_phone(browser, live_server) -> None:
    participant = ParticipantFactory(first_name="Amara")
    manager = participant.line_manager
    cohort = cohort_with_sessions()
    request = protected_time_request_draft(enrolment=enrol(cohort, participant))
    protected_time_submit(request=request, actor=participant)
    first, second, *rest = request.lines.order_by("starts_at")

    sign_in(browser, live_server, manager.email)
    assert "Amara" in wait_for_text(browser, By.TAG_NAME, "main")
    browser.get(f"{live_server.url}/team/protected-time/{request.pk}/")
    for line in (first, second):
        click(browser, browser.find_element(By.ID, f"line-{line.pk}"))
    approve = browser.find_element(By.CSS_SELECTOR, "button[name=action][value=approve]")
    wait_for_new_page(browser, lambda: click(browser, approve))

    request.refresh_from_db()
    decisions = dict(request.lines.values_list("pk", "decision"))
    assert decisions[first.pk] == decisions[second.pk] == "approved"
    assert {decisions[line.pk] for line in rest} == {"pending"}
    assert request.status == ProtectedTimeRequest.Status.SUBMITTED  # the rest still waits for an answer
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 375


@pytest.mark.cohorts
def test_participant_sees_the_next_session_and_gets_a_calendar_address(browser, live_server) -> None:
    participant = ParticipantFactory(first_name="Ben")
    cohort = cohort_with_sessions()
    enrol(cohort, participant)
    first = cohort.group_sessions.filter(kind="weekly").order_by("starts_at").first()

    sign_in(browser, live_server, participant.email)
    main = wait_for_text(browser, By.TAG_NAME, "main")
    assert first.session_plan.title in main
    assert "Next session" in main
    button = browser.find_element(By.XPATH, "//button[contains(., 'calendar')]")
    wait_for_new_page(browser, lambda: click(browser, button))
    assert ".ics" in browser.page_source
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 375


@pytest.mark.protected_time
def test_facilitator_reads_the_protected_time_matrix_on_a_phone_without_the_page_widening(browser, live_server) -> None:
    cohort = cohort_with_sessions()
    for _person in range(3):
        protected_time_request_draft(enrolment=enrol(cohort))
    facilitator = cohort.facilitators.first()

    sign_in(browser, live_server, facilitator.email)
    wait_for_text(browser, By.TAG_NAME, "main")
    browser.get(f"{live_server.url}/facilitating/cohorts/{cohort.pk}/protected-time/")
    assert "Send for them" in wait_for_text(browser, By.TAG_NAME, "main")
    # The twelve-column table scrolls inside its box; the page itself stays 375 px wide.
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 375
