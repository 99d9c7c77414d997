"""In a real browser (Debian's chromium) at phone width: htmx adds and removes agenda rows, and the plan saves."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import FacilitatorFactory, programme_with_plans

pytestmark = [pytest.mark.programmes, pytest.mark.browser, pytest.mark.services]


@pytest.mark.django_db(transaction=True)
def test_agenda_rows_added_and_removed_with_htmx_then_saved(live_server, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    programme = programme_with_plans(status="draft", weeks=2, boosters=0)
    plan = programme.session_plans.get(number=1)
    client = Client()
    client.force_login(FacilitatorFactory())
    browser.get(live_server.url + "/health/")
    browser.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})

    browser.get(f"{live_server.url}/programmes/plans/{plan.pk}/edit/")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 375

    def click(element) -> None:
        browser.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", element)

    add = browser.find_element(By.XPATH, "//button[contains(., 'Add an agenda item')]")
    click(add)
    WebDriverWait(browser, 5).until(lambda d: d.find_elements(By.NAME, "agenda-1-title"))
    click(add)
    WebDriverWait(browser, 5).until(lambda d: d.find_elements(By.NAME, "agenda-2-title"))
    assert browser.find_element(By.ID, "id_agenda-TOTAL_FORMS").get_attribute("value") == "3"

    browser.find_element(By.NAME, "agenda-0-minutes").clear()
    browser.find_element(By.NAME, "agenda-0-minutes").send_keys("20")
    browser.find_element(By.NAME, "agenda-1-title").send_keys("Soothing-rhythm breathing")
    browser.find_element(By.NAME, "agenda-1-minutes").send_keys("100")
    browser.find_element(By.NAME, "agenda-2-title").send_keys("Not wanted")
    browser.find_element(By.NAME, "agenda-2-minutes").send_keys("30")
    click(browser.find_element(By.CSS_SELECTOR, "#agenda-row-2 button"))
    WebDriverWait(browser, 5).until(lambda d: not d.find_elements(By.NAME, "agenda-2-title"))

    click(browser.find_element(By.XPATH, "//button[@type='submit'][contains(., 'Save the plan')]"))
    WebDriverWait(browser, 5).until(lambda d: "/edit/" not in d.current_url)
    assert list(plan.agenda_items.values_list("title", "minutes")) == [
        ("Whole session", 20),
        ("Soothing-rhythm breathing", 100),
    ]


@pytest.mark.django_db(transaction=True)
def test_participant_worksheet_table_has_ruled_cells_and_fits_a_phone(live_server, browser) -> None:
    from programmes.models import Material
    from tests.factories import cohort_with_sessions, enrol

    cohort = cohort_with_sessions()
    place = enrol(cohort)
    rows = "".join(f"| {day} | | | |\n" for day in ("Mon", "Tue", "Wed"))
    material = Material.objects.create(
        session_plan=cohort.programme.session_plans.get(kind="weekly", number=1),
        title="Three-circles diary",
        kind=Material.Kind.WORKSHEET,
        release=Material.Release.ON_ENROLMENT,
        content="| Day | Threat was running the show when... | Drive was... | Soothing showed up when... |\n"
        "|---|---|---|---|\n" + rows,
    )
    client = Client()
    client.force_login(place.participant)
    browser.get(live_server.url + "/health/")
    browser.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})

    browser.get(f"{live_server.url}/me/materials/{material.pk}/")
    cell = "document.querySelector('article table td:last-child')"
    assert browser.execute_script(f"return parseFloat(getComputedStyle({cell}).borderTopWidth)") > 0
    assert browser.execute_script(f"return {cell}.getBoundingClientRect().height") >= 30
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 375
