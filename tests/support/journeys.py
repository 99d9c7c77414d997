"""Journeys in a real browser: visit a page, wait for it, check it (axe at 375 and 1280 px), and keep evidence.

``journey`` (a fixture) drives the module's one chromium against the live server. Each page a journey reaches
is checked once per test at both widths (``tests.support.a11y``). A failing journey saves a screenshot and the
page's HTML under ``var/browser-failures/`` and names them in the failure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

from tests.support import a11y
from tests.support.browser import set_width, wait_for_new_page, wait_for_text

WAIT_SECONDS = 15


class Journey:
    def __init__(self, driver, live_server, test: str) -> None:
        self.driver = driver
        self.url = live_server.url
        self.test = test
        self.checked: set[tuple[str, int]] = set()

    # --- signing in ---------------------------------------------------------

    def sign_in_as(self, user) -> None:
        """Sign ``user`` in by giving the browser a session cookie (the sign-in form has its own journeys)."""
        from django.test import Client

        client = Client()
        client.force_login(user)
        self.driver.delete_all_cookies()
        self.driver.get(self.url + "/health/")
        self.driver.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})

    def sign_in_with_form(self, email: str, password: str) -> None:
        """Sign in through the sign-in form, as a person would; the journey continues on their home page."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver.delete_all_cookies()
        self.visit("/accounts/login/")
        self.driver.find_element(By.NAME, "username").send_keys(email)
        field = self.driver.find_element(By.NAME, "password")
        field.send_keys(password)
        wait_for_new_page(self.driver, lambda: field.send_keys(Keys.ENTER))
        WebDriverWait(self.driver, WAIT_SECONDS).until(lambda driver: "/accounts/login/" not in driver.current_url)
        self.settled()

    # --- moving about ---------------------------------------------------------

    def visit(self, path: str) -> str:
        """Open ``path``, wait for its main content, check it; return the main text."""
        self.driver.get(self.url + path)
        return self.settled()

    def follow(self, action: Callable[[], object]) -> str:
        """Run ``action`` (a click or submit that loads a page), wait for the new page, check it; return main text."""
        wait_for_new_page(self.driver, action, timeout=WAIT_SECONDS)
        return self.settled()

    def click(self, element) -> str:
        """Click a link or button that loads a page (scrolled into view first, as a person would)."""
        return self.follow(lambda: self.tap(element))

    def tap(self, element) -> None:
        """Click something that does not load a page (a tick box, a <details> summary)."""
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
        element.click()

    def settled(self) -> str:
        from selenium.webdriver.common.by import By

        text = wait_for_text(self.driver, By.TAG_NAME, "main", timeout=WAIT_SECONDS)
        self.check()
        return text

    def main_text(self) -> str:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.TAG_NAME, "main").text

    def find(self, by: str, value: str):
        return self.driver.find_element(by, value)

    def button(self, text: str):
        """The button (or submit input) whose text contains ``text``."""
        from selenium.webdriver.common.by import By

        literal = xpath_text(text)
        return self.driver.find_element(
            By.XPATH,
            f"//main//button[contains(normalize-space(.), {literal})]"
            f" | //main//input[@type='submit'][contains(@value, {literal})]",
        )

    def link(self, text: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.XPATH, f"//main//a[contains(normalize-space(.), {xpath_text(text)})]")

    def fill(self, name: str, value: str, *, form=None) -> None:
        """Type ``value`` into the field called ``name`` (dates and times are set directly: their pickers vary)."""
        from selenium.webdriver.common.by import By

        field = (form or self.driver).find_element(By.NAME, name)
        kind = field.get_attribute("type")
        if kind in ("date", "time", "datetime-local"):
            self.driver.execute_script(
                "arguments[0].value = arguments[1];"
                "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
                "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                field,
                value,
            )
        elif field.tag_name == "select":
            from selenium.webdriver.support.ui import Select

            Select(field).select_by_visible_text(value)
        else:
            field.clear()
            field.send_keys(value)

    # --- checks ---------------------------------------------------------------

    def check(self, *, again: bool = False) -> None:
        """Check the page at 375 and 1280 px (once per page per test unless ``again``), back at the width it had."""
        page = a11y.page_name(self.driver.current_url)
        start = self.driver.steady_width
        for width in (start, *(w for w in (a11y.PHONE_WIDTH, a11y.DESKTOP_WIDTH) if w != start)):
            if (page, width) in self.checked and not again:
                continue
            if width != self.driver.steady_width:
                set_width(self.driver, width)
            try:
                a11y.page_check(self.driver, test=self.test)
            finally:
                self.checked.add((page, width))
        if self.driver.steady_width != start:
            set_width(self.driver, start)

    def width(self, width: int) -> None:
        set_width(self.driver, width)

    def no_sideways_scroll(self) -> None:
        assert a11y.overflow_px(self.driver) == 0


def xpath_text(text: str) -> str:
    """``text`` as an XPath string literal (it may hold an apostrophe: "I'd like to talk")."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in parts) + ")"


@pytest.fixture
def journey(module_browser, live_server, request) -> Iterator[Journey]:
    """The module's chromium, signed out, on a 375 px phone screen, against the live server."""
    module_browser.delete_all_cookies()
    set_width(module_browser, a11y.PHONE_WIDTH)
    yield Journey(module_browser, live_server, request.node.nodeid)
    # Leave no page of this test open for the next one (its session is gone with the test's data).
    module_browser.get("about:blank")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failing journey saves a screenshot and the page's HTML, and says where."""
    outcome = yield
    report = outcome.get_result()
    journey = getattr(item, "funcargs", {}).get("journey")
    if report.when != "call" or not report.failed or not isinstance(journey, Journey):
        return
    from django.conf import settings

    folder = settings.VAR_DIR / "browser-failures"
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / re.sub(r"\W+", "_", item.nodeid)
    try:
        picture, page = stem.with_suffix(".png"), stem.with_suffix(".html")
        journey.driver.save_screenshot(str(picture))
        page.write_text(journey.driver.page_source, encoding="utf-8")
        where = f"at {journey.driver.current_url}: screenshot {picture}, HTML {page}"
    except Exception as error:  # the browser may be the thing that failed
        where = f"could not save the page ({error})"
    report.sections.append(("browser", f"The page when the journey failed, {where}"))
