"""A cohort's schedule on a phone (375 px): every Move and Cancel is on screen, nothing scrolls sideways."""

from __future__ import annotations

import pytest
from django.test import Client
from selenium.webdriver.common.by import By

from tests.factories import cohort_with_sessions

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.cohorts, pytest.mark.django_db(transaction=True)]


def open_cohort(browser, live_server, width: int):
    cohort = cohort_with_sessions(venue="Wellbeing room, Education Centre, Level 3, North Wing")
    client = Client()
    client.force_login(cohort.facilitators.first())
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 812, "deviceScaleFactor": 2, "mobile": width < 768},
    )
    browser.get(live_server.url + "/health/")
    browser.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
    browser.get(live_server.url + cohort.get_absolute_url())
    return cohort


@pytest.mark.parametrize("width", [375, 1280])
def test_move_and_cancel_are_within_the_screen(browser, live_server, width) -> None:
    open_cohort(browser, live_server, width)
    links = [
        link
        for link in browser.find_elements(By.CSS_SELECTOR, "#schedule ~ * a, section[aria-labelledby=schedule] a")
        if link.text in ("Move", "Cancel")
    ]
    assert len(links) == 24  # twelve weekly sessions, each with Move and Cancel
    for link in links:
        right = browser.execute_script("return arguments[0].getBoundingClientRect().right", link)
        assert 0 < right <= width, f"{link.text} ends at {right}px on a {width}px screen"
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    overflowing = browser.execute_script(
        "return [...document.querySelectorAll('.table-responsive')].filter(b => b.scrollWidth > b.clientWidth).length"
    )
    assert overflowing == 0
