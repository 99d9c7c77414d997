""" "I'd like to talk" is in the first screenful of the participant's home on a 375 px phone, at every stage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from sessions.models import Enrolment, HelpRequest
from tests.browser.test_sign_in import sign_in
from tests.factories import ParticipantFactory, cohort_with_sessions, enrol
from tests.support.browser import wait_for_new_page, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.safety, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("status", ["invited", "enrolled", "completed", "withdrawn"])
def test_i_would_like_to_talk_is_in_the_first_screenful_at_every_stage(browser, live_server, status) -> None:
    participant = ParticipantFactory(first_name="Amara")
    cohort = cohort_with_sessions()
    enrolment = enrol(cohort, participant)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=status,
        place_number=None if status in ("invited", "withdrawn") else enrolment.place_number,
        withdrawn_at=timezone.now() - timedelta(days=3) if status == "withdrawn" else None,
    )

    sign_in(browser, live_server, participant.email)
    wait_for_text(browser, By.TAG_NAME, "main")
    talk = browser.find_element(By.LINK_TEXT, "I'd like to talk")
    box = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return {top: r.top, bottom: r.bottom, height: window.innerHeight, scroll: window.scrollY};",
        talk,
    )
    assert box["scroll"] == 0
    assert box["top"] >= 0 and box["bottom"] <= box["height"], box  # visible without scrolling
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 375

    wait_for_new_page(browser, talk.click)
    ask = browser.find_element(By.XPATH, "//button[contains(., 'Ask to talk')]")
    wait_for_new_page(browser, ask.click)
    main = wait_for_text(browser, By.TAG_NAME, "main")
    assert "will respond by" in main and "116 123" in main
    assert HelpRequest.objects.filter(participant=participant, status="open").count() == 1
