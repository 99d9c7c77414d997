"""The participant's home on a phone and a desktop: what a person needs now comes first, and the page stays short."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from core.demo import DEMO_PASSWORD, run_seeders
from tests.browser.test_sign_in import sign_in
from tests.support.browser import wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.cohorts, pytest.mark.django_db(transaction=True)]

# Before this page was reordered the demo participant's home was 4,164 px tall at 375 px (2,759 px at 1280 px);
# after, 1,819 px (1,557 px at 1280 px). With "I'd like to talk" at the top and the crisis contacts in the footer
# (compact: one line each, no notes), 1,881 px at 375 px (they took 2,130 px before they were made compact).
PHONE_HEIGHT_LIMIT = 1900


def set_width(browser, width: int) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 812, "deviceScaleFactor": 1 if width > 500 else 2, "mobile": width <= 500},
    )


def page_height(browser) -> int:
    return browser.execute_script("return document.documentElement.scrollHeight")


def heading_order(browser) -> list[str]:
    return [h.text for h in browser.find_elements(By.CSS_SELECTOR, "main h2, main h3, main summary")]


@pytest.mark.parametrize("width", [375, 1280])
def test_demo_participant_home_puts_next_session_first_and_stays_short(browser, live_server, width) -> None:
    run_seeders()
    set_width(browser, width)
    sign_in(browser, live_server, "participant1@steady.example", DEMO_PASSWORD)
    browser.get(f"{live_server.url}/me/")
    main = wait_for_text(browser, By.TAG_NAME, "main")
    height = page_height(browser)
    print(f"participant home height at {width} px: {height}")
    headings = heading_order(browser)
    position = {text: index for index, text in enumerate(headings)}
    # Next session first, then this week's practice and the materials, then the rest.
    assert position["Next session"] < position["This week"] < position["Materials by week"]
    assert position["Materials by week"] < position["All sessions and follow-ups"]
    # Withdrawing has its own heading, after the reminders rather than inside them.
    assert "Leave the group" in headings
    assert position["Reminders"] < position["Leave the group"]
    # Boosters are with the sessions, not with the check-ins.
    sessions_panel = browser.find_element(By.ID, "all-sessions").get_attribute("textContent")
    assert "Follow-up" in sessions_panel
    assert "Follow-up group sessions" not in browser.find_element(By.ID, "checkins-panel").text
    assert "Next session" in main
    if width == 375:
        assert height < PHONE_HEIGHT_LIMIT
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 375
