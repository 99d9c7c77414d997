"""The keyboard and accessibility helpers catch what they look for: a focus trap, an invisible focus, sideways
scrolling and a serious axe violation (on small pages of their own, loaded as data: addresses, no server)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.support import a11y
from tests.support.keyboard import tab_to, text_is, walk_every_stop

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.foundation]

STYLE = "<style>:focus-visible { outline: 3px solid #c8781a; }</style>"
TRAP = (
    "<button id=a>One</button><button id=b>Two</button><button id=c>Three</button>"
    "<script>document.getElementById('b').addEventListener('keydown', e => {"
    " if (e.key === 'Tab') { e.preventDefault(); document.getElementById('a').focus(); } });</script>"
)


def load(browser, body: str) -> None:
    page = f"<!doctype html><html lang=en><meta name=viewport content='width=device-width'><title>t</title>{body}"
    browser.get("data:text/html;charset=utf-8," + quote(page))


def test_walking_a_page_passes_when_tab_reaches_every_stop(browser) -> None:
    load(browser, STYLE + "<a href='#x'>Top</a><button>One</button><input aria-label=Name><button>Two</button>")
    assert walk_every_stop(browser) == 4


def test_walking_a_page_finds_a_trap(browser) -> None:
    load(browser, STYLE + TRAP)
    with pytest.raises(AssertionError, match="Tab reached 2 of the page's 3 stops"):
        walk_every_stop(browser)


def test_tabbing_finds_a_focus_nobody_can_see(browser) -> None:
    load(browser, "<style>button:focus { outline: none; }</style><button>One</button>")
    with pytest.raises(AssertionError, match="no visible focus"):
        tab_to(browser, text_is("One"))


def test_the_page_check_finds_sideways_scrolling_and_serious_violations(browser) -> None:
    try:
        load(browser, "<main><h1>Wide</h1><div style='width: 900px'>Wide</div></main>")
        with pytest.raises(AssertionError, match=r"scrolls sideways by 5\d\d px"):
            a11y.page_check(browser, test="helpers")
        load(browser, "<main><h1>Unnamed</h1><button></button></main>")
        with pytest.raises(AssertionError, match="button-name"):
            a11y.page_check(browser, test="helpers")
    finally:
        # These pages are not Steady's: keep them out of the list of pages checked.
        a11y.CHECKS[:] = [check for check in a11y.CHECKS if check.test != "helpers"]
