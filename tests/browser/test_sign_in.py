"""Journeys in a real browser on a phone-sized screen."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.factories import PASSWORD, ManagerFactory, ParticipantFactory
from tests.support.browser import wait_for_new_page, wait_for_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.services,
    pytest.mark.foundation,
    pytest.mark.django_db(transaction=True),
]


def sign_in(browser, live_server, email: str, password: str = PASSWORD) -> None:
    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys(email)
    field = browser.find_element(By.NAME, "password")
    field.send_keys(password)
    # Signing in redirects twice (to / and on to the role's home); the wait ends on the last page.
    wait_for_new_page(browser, lambda: field.send_keys(Keys.ENTER))
    WebDriverWait(browser, 15).until(
        lambda driver: "/accounts/login/" not in driver.current_url or "alert" in driver.page_source
    )


def heading(browser) -> str:
    return wait_for_text(browser, By.TAG_NAME, "h1")


def test_participant_signs_in_on_a_phone_and_lands_on_their_home(browser, live_server) -> None:
    participant = ParticipantFactory(first_name="Amara")
    sign_in(browser, live_server, participant.email)
    WebDriverWait(browser, 15).until(expected_conditions.url_matches(r"/me/$"))
    assert heading(browser) == "Hello, Amara"
    # Nothing is wider than the screen.
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 375


def test_wrong_password_shows_one_calm_message(browser, live_server) -> None:
    manager = ManagerFactory()
    sign_in(browser, live_server, manager.email, "not-it")
    assert "do not match an account" in wait_for_text(browser, By.TAG_NAME, "main")
    assert browser.current_url.endswith("/accounts/login/")


def test_skip_link_is_the_first_thing_the_keyboard_reaches(browser, live_server) -> None:
    participant = ParticipantFactory()
    sign_in(browser, live_server, participant.email)
    browser.get(f"{live_server.url}/me/")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    focused = browser.switch_to.active_element
    assert focused.get_attribute("href").endswith("#main")
    assert focused.is_displayed()
