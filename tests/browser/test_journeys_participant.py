"""Journeys of a participant on a phone: from the invitation to the pack, a line manager, a check-in, protected time,
"I'd like to talk", a due questionnaire and a calendar file.

Every page reached is checked with axe-core at 375 and 1280 px (``tests.support.journeys``).
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from accounts.models import LineManagerRequest
from facilitation.models import ProtectedTimeRequest
from facilitation.services.protected_time import protected_time_request_draft
from measures.models import Response
from measures.services import measure_schedule_add, measures_load_builtin
from programmes.services.importing import programme_load_builtin
from sessions.models import CheckIn, Enrolment, HelpRequest
from sessions.services.checkins import availability_window_add
from sessions.services.enrolments import enrolment_confirm
from sessions.services.invitations import enrolment_invite
from tests.factories import (
    PASSWORD,
    EnrolmentFactory,
    FacilitatorFactory,
    ParticipantFactory,
    cohort_with_sessions,
    enrol,
)
from tests.support.keyboard import assert_focus_visible, named, press, tab_to, text_is, walk_every_stop

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.cohorts, pytest.mark.django_db(transaction=True)]


def open_checkin_times(facilitator) -> None:
    """Two half-hour check-in times, three days from now, every week."""
    day = timezone.localdate() + datetime.timedelta(days=3)
    availability_window_add(
        facilitator=facilitator,
        weekday=day.weekday(),
        start_time=datetime.time(9),
        end_time=datetime.time(10),
        slot_minutes=30,
        valid_from=timezone.localdate(),
    )


def test_participant_accepts_the_invitation_reads_the_pack_and_names_a_line_manager(journey) -> None:
    programme, _created = programme_load_builtin()
    facilitator = FacilitatorFactory(first_name="Nadia")
    cohort = cohort_with_sessions(programme=programme, facilitators=[facilitator])
    token = enrolment_invite(cohort=cohort, email="sam@hospital.example", by=facilitator, send_email=False).token

    main = journey.visit(f"/invitation/{token}/")
    assert "When and where the group meets" in main
    journey.fill("first_name", "Sam")
    journey.fill("last_name", "Okafor")
    journey.fill("password", "a-long-calm-password")
    main = journey.click(journey.button("Create my account"))
    assert "I have read this" in main  # straight on to the information pack
    main = journey.click(journey.button("I have read this"))
    place = Enrolment.objects.get(cohort=cohort, participant__email="sam@hospital.example")
    assert place.status == Enrolment.Status.ACKNOWLEDGED

    # Nadia confirms the place; a protected-time request is drafted for Sam to send.
    enrolment_confirm(enrolment=place, by=facilitator)
    main = journey.visit("/me/")
    assert "Hello, Sam" in main
    main = journey.click(journey.link("Name my line manager"))
    journey.fill("first_name", "Ruth")
    journey.fill("last_name", "Adeyemi")
    journey.fill("email", "ruth.adeyemi@hospital.example")
    main = journey.click(journey.button("Ask them to confirm"))
    assert "We have emailed them a link to confirm" in main
    named = LineManagerRequest.objects.get(staff_member=place.participant)
    assert (named.email, named.status) == ("ruth.adeyemi@hospital.example", LineManagerRequest.Status.PENDING)


def test_participant_books_and_cancels_a_checkin_sends_the_protected_time_request_and_asks_to_talk(journey) -> None:
    facilitator = FacilitatorFactory(first_name="Nadia")
    cohort = cohort_with_sessions(facilitators=[facilitator])
    participant = ParticipantFactory(first_name="Amara")
    pt_request = protected_time_request_draft(enrolment=enrol(cohort, participant))
    open_checkin_times(facilitator)

    journey.sign_in_as(participant)
    journey.visit("/me/")
    main = journey.click(journey.link("Book a check-in"))
    assert "Choose a time" in main
    journey.tap(journey.find(By.CSS_SELECTOR, "input[name=slot]"))
    main = journey.click(journey.button("Book this time"))
    checkin = CheckIn.objects.get(participant=participant)
    assert checkin.status == CheckIn.Status.BOOKED and checkin.facilitator == facilitator
    journey.click(journey.link("Cancel this check-in"))
    main = journey.click(journey.button("Yes, cancel it"))
    assert "The check-in is cancelled" in main
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.CANCELLED

    journey.visit("/me/")
    journey.click(journey.link("Check and send"))
    main = journey.click(journey.button("Send to my line manager"))
    assert "Sent to your line manager" in main
    pt_request.refresh_from_db()
    assert pt_request.status == ProtectedTimeRequest.Status.SUBMITTED

    journey.visit("/me/")
    journey.click(journey.link("I'd like to talk"))
    journey.fill("message", "Last week's session stayed with me; could we talk?")
    main = journey.click(journey.button("Ask to talk"))
    assert "will respond by" in main and "116 123" in main
    assert HelpRequest.objects.filter(participant=participant, status="open").count() == 1


def test_participant_answers_a_due_questionnaire_on_a_phone_and_downloads_the_calendar_file(journey) -> None:
    measures = {measure.code: measure for measure, _state in measures_load_builtin()}
    cohort = cohort_with_sessions()
    measure_schedule_add(programme=cohort.programme, measure=measures["gad-7"], time_point="baseline")
    participant = ParticipantFactory(first_name="Amara")
    enrol(cohort, participant)

    journey.sign_in_as(participant)
    main = journey.visit("/me/")
    assert "Questionnaires for you" in main
    journey.click(journey.find(By.CSS_SELECTOR, "#due-questionnaires ~ ul a"))
    main = journey.click(journey.button("Start"))
    for number in range(1, 8):
        assert f"Question {number} of 7" in main
        journey.tap(journey.find(By.CSS_SELECTOR, f"input[name=item_{number}][value='1']"))
        main = journey.click(journey.button("Save and"))
    assert "Send my answers" in main
    main = journey.click(journey.button("Send my answers"))
    response = Response.objects.get(participant=participant)
    assert response.is_submitted and response.answers.count() == 7
    assert response.scores.get().value == 7

    # The next session goes into the phone's calendar as a file.
    journey.visit("/me/")
    downloads = Path(journey.driver.steady_profile) / "downloads"
    journey.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    journey.tap(journey.link("Add to my calendar"))
    WebDriverWait(journey.driver, 15).until(
        lambda _driver: downloads.is_dir() and any(name.endswith(".ics") for name in os.listdir(downloads))
    )
    calendar_file = next(path for path in downloads.iterdir() if path.suffix == ".ics")
    text = calendar_file.read_text(encoding="utf-8")
    assert text.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in text
    assert "SUMMARY:" in text and "Wellbeing room" in text


def test_participant_journey_with_the_keyboard_alone(journey) -> None:
    """Sign in, skip to the content, read and acknowledge the pack, book a check-in and ask to talk with Tab, Enter,
    Space and typing only. Every stop shows where focus is, and Tab walks each page from top to end without being
    held anywhere."""
    facilitator = FacilitatorFactory(first_name="Nadia")
    cohort = cohort_with_sessions(facilitators=[facilitator])
    open_checkin_times(facilitator)
    participant = ParticipantFactory(first_name="Amara")
    place = EnrolmentFactory(cohort=cohort, participant=participant, status=Enrolment.Status.INVITED)
    driver = journey.driver

    journey.visit("/accounts/login/")
    tab_to(driver, named("username"), what="the email field")
    press(driver, participant.email)
    tab_to(driver, named("password"), what="the password field")
    press(driver, PASSWORD)
    main = journey.follow(lambda: press(driver, Keys.ENTER))
    assert "Hello, Amara" in main

    # The first Tab reaches the skip link, which shows itself and moves focus to the content.
    press(driver, Keys.TAB)
    state = assert_focus_visible(driver)
    assert "Skip to main content" in state["name"]
    press(driver, Keys.ENTER)
    assert driver.switch_to.active_element.get_attribute("id") == "main"
    assert walk_every_stop(driver) > 5

    tab_to(driver, text_is("Read the information"), what="the information pack")
    main = journey.follow(lambda: press(driver, Keys.ENTER))
    assert walk_every_stop(driver) > 5
    tab_to(driver, text_is("I have read this"), limit=200, what="'I have read this'")
    journey.follow(lambda: press(driver, Keys.ENTER))
    place.refresh_from_db()
    assert place.status == Enrolment.Status.ACKNOWLEDGED

    # Nadia confirms the place; Amara books a check-in, choosing a time among radio buttons with the keyboard.
    enrolment_confirm(enrolment=place, by=facilitator)
    journey.visit("/me/")
    tab_to(driver, text_is("Book a check-in"), what="'Book a check-in'")
    journey.follow(lambda: press(driver, Keys.ENTER))
    assert walk_every_stop(driver) > 5
    tab_to(driver, named("slot"), what="the first free time")
    press(driver, Keys.SPACE)
    tab_to(driver, text_is("Book this time"), what="'Book this time'")
    main = journey.follow(lambda: press(driver, Keys.ENTER))
    assert CheckIn.objects.get(participant=participant).status == CheckIn.Status.BOOKED
    assert "Your check-in" in main

    journey.visit("/me/")
    tab_to(driver, text_is("I'd like to talk"), what="'I'd like to talk'")
    journey.follow(lambda: press(driver, Keys.ENTER))
    assert walk_every_stop(driver) > 5
    tab_to(driver, named("message"), what="the message box")
    press(driver, "Could we talk before the group starts?")
    tab_to(driver, text_is("Ask to talk"), what="'Ask to talk'")
    main = journey.follow(lambda: press(driver, Keys.ENTER))
    assert "will respond by" in main
    assert HelpRequest.objects.get(participant=participant).message == "Could we talk before the group starts?"
