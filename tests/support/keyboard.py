"""Moving through a page with the keyboard alone: Tab to a control (each stop must show where focus is),
press a key, and walk every stop of a page to prove focus is never trapped."""

from __future__ import annotations

from collections.abc import Callable

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

# What the focused element looks like: its outline or ring, its size, and how a failure should name it.
FOCUS_STATE = """
const e = document.activeElement;
if (!e || e === document.body) return {body: true};
const s = getComputedStyle(e);
const r = e.getBoundingClientRect();
return {
  body: false,
  outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
  ring: !!s.boxShadow && s.boxShadow !== 'none',
  size: r.width > 0 && r.height > 0,
  onScreen: r.bottom > 0 && r.top < window.innerHeight,
  name: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' +
        (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 40) + '"',
};
"""

# Every element the Tab key should stop at, in document order (visible, enabled, not tabindex=-1).
TAB_STOPS = """
const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
const radios = new Set();
return [...document.querySelectorAll(selector)].filter(e => {
  if (e.disabled || e.tabIndex < 0) return false;
  if (e.type === 'radio') {  // a group of radio buttons is one stop
    if (radios.has(e.name)) return false;
    radios.add(e.name);
  }
  if (e.closest('details:not([open])') && e.tagName !== 'SUMMARY') return false;
  const r = e.getBoundingClientRect();
  return (r.width > 0 || r.height > 0) && getComputedStyle(e).visibility !== 'hidden';
}).length;
"""


def press(driver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def focus_state(driver) -> dict:
    return driver.execute_script(FOCUS_STATE)


def assert_focus_visible(driver) -> dict:
    state = focus_state(driver)
    assert not state["body"], "focus fell back to the page itself"
    assert state["outline"] or state["ring"], f"no visible focus on {state['name']}"
    assert state["size"] and state["onScreen"], f"the focused {state['name']} is not on the screen"
    return state


def tab_to(driver, matches: Callable[[object], bool], *, limit: int = 80, what: str = "the control") -> object:
    """Press Tab until the focused element ``matches``; every stop on the way must show its focus."""
    stops = []
    for _press in range(limit):
        press(driver, Keys.TAB)
        state = focus_state(driver)
        if state["body"]:
            stops.append("(page)")
            continue
        assert_focus_visible(driver)
        element = driver.switch_to.active_element
        if matches(element):
            return element
        stops.append(state["name"])
    raise AssertionError(f"Tab never reached {what} in {limit} presses; it went through: {stops}")


def text_is(text: str) -> Callable[[object], bool]:
    def matches(element) -> bool:
        return text in (element.text or element.get_attribute("value") or "")

    return matches


def named(name: str) -> Callable[[object], bool]:
    return lambda element: element.get_attribute("name") == name


def walk_every_stop(driver) -> int:
    """Tab from the top of the page to the end and back out: focus reaches every stop and leaves the page.

    A trap would hold focus in a loop, so the number of distinct stops would fall short of the page's.
    Return the number of stops.
    """
    # A fresh load (without a #fragment, which would move the starting point) starts Tab at the top of the page.
    driver.get(driver.current_url.split("#")[0])
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState === 'complete';"))
    expected = driver.execute_script(TAB_STOPS)
    seen = []
    for _press in range(expected + 5):
        press(driver, Keys.TAB)
        key = driver.execute_script(
            "const e = document.activeElement;"
            "if (!e || e === document.body) return null;"
            "e.dataset.steadyStop = e.dataset.steadyStop || String(Math.random());"
            "return e.dataset.steadyStop;"
        )
        if key is None or key in seen:
            break  # focus left the page (or came round again): the walk is over
        assert_focus_visible(driver)
        seen.append(key)
    assert len(seen) >= expected, f"Tab reached {len(seen)} of the page's {expected} stops before going round"
    return len(seen)
