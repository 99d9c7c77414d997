"""A real browser (Debian's chromium, driven by chromedriver through Selenium) for journey tests."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def chromium_start(*, width: int = 375) -> object:
    """Start Debian's chromium (headless, no network of its own) emulating a ``width`` px screen; skip without it."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    # Never let Selenium fetch a browser or driver of its own.
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="steady-chromium-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=375,812",
    ):
        options.add_argument(flag)
    # Downloads (a .ics) land in the profile, where a test can read them.
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": os.path.join(profile, "downloads"), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.steady_profile = profile
    driver.implicitly_wait(5)
    # No smooth scrolling: a page scrolled by a click or by focus is where it ends up at once.
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}
    )
    set_width(driver, width)
    return driver


def chromium_stop(driver) -> None:
    driver.quit()
    shutil.rmtree(driver.steady_profile, ignore_errors=True)


def set_width(driver, width: int) -> None:
    """Emulate a ``width`` px screen (headless windows are at least 500 px wide, so a phone needs emulation)."""
    mobile = width < 768
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 812, "deviceScaleFactor": 2 if mobile else 1, "mobile": mobile},
    )
    driver.steady_width = width


@pytest.fixture
def browser() -> Iterator[object]:
    """Debian's chromium on a 375 px phone screen, with no network of its own."""
    driver = chromium_start()
    yield driver
    chromium_stop(driver)


@pytest.fixture(scope="module")
def module_browser() -> Iterator[object]:
    """One chromium for a whole test module (starting one takes a second or two); tests reset it themselves."""
    driver = chromium_start()
    yield driver
    chromium_stop(driver)


def wait_for_text(browser, by: str, value: str, *, timeout: float = 15) -> str:
    """Return the element's text once the page has settled (a redirect may replace the document meanwhile)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, ignored_exceptions=(WebDriverException,)).until(
        lambda driver: driver.find_element(by, value).text
    )


def wait_for_new_page(browser, action, *, timeout: float = 15) -> None:
    """Run ``action`` (a submit or click that loads a page) and wait until a new document has fully loaded.

    The old document is marked first; the wait ends when a document without the
    mark is complete, so it never reads an element of a page that is going away.
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    browser.execute_script("window.__steadyOldPage = true;")
    action()
    WebDriverWait(browser, timeout, ignored_exceptions=(WebDriverException,)).until(
        lambda driver: driver.execute_script(
            "return window.__steadyOldPage === undefined && document.readyState === 'complete';"
        )
    )
