"""Accessibility checks for journey pages: axe-core (local copy, no network) and no sideways scrolling on a phone.

Every page a journey checks is recorded, at each width, with its violation counts; the list is printed at the
end of the run (``pytest_terminal_summary``), so a normal ``pytest -q`` shows which pages were checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Violations that fail a journey; "minor" and "moderate" ones are counted and printed only.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
PHONE_WIDTH = 375
DESKTOP_WIDTH = 1280


@dataclass(frozen=True)
class PageCheck:
    page: str  # the path with ids and secrets replaced, e.g. /facilitating/cohorts/<id>/
    width: int
    blocking: int  # serious or critical violations (rules), which fail the journey
    other: int  # minor or moderate violations (rules), reported only
    other_rules: tuple[str, ...]
    overflow: int  # px the page is wider than the screen (checked on a phone)
    test: str


CHECKS: list[PageCheck] = []


def page_name(url: str) -> str:
    """The page's path with the parts that differ from run to run (ids, tokens) replaced by a placeholder."""
    path = urlsplit(url).path
    path = re.sub(r"/\d+(?=/|\.|$)", "/<id>", path)
    return re.sub(r"/(invitation|calendar|line-manager)/[\w-]{16,}", r"/\1/<token>", path)


@cache
def axe_source() -> str:
    """axe-core 4.9.1 as shipped by selenium-axe-python (read from disk: no CDN at run time)."""
    import selenium_axe_python

    return (Path(selenium_axe_python.__file__).parent / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def axe_run(driver) -> list[dict]:
    """Run axe-core on the page as it is now and return its violations."""
    if not driver.execute_script("return typeof window.axe === 'object';"):
        driver.execute_script(axe_source())
    driver.set_script_timeout(30)
    results = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(done, e => done({error: String(e)}));"
    )
    if "error" in results:
        raise AssertionError(f"axe-core failed on {driver.current_url}: {results['error']}")
    return results["violations"]


def overflow_px(driver) -> int:
    """How many px the page is wider than the screen (0 when nothing makes it scroll sideways).

    Measured against the emulated screen's width, not ``innerWidth``: a phone zooms out to fit a page that is too
    wide, so ``innerWidth`` grows with the page and would hide the very scrolling this looks for.
    """
    return driver.execute_script(
        "return Math.max(0, document.documentElement.scrollWidth - arguments[0],"
        " document.body.scrollWidth - arguments[0]);",
        driver.steady_width,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"  {violation['impact']}: {violation['id']} ({violation['help']}) at {targets}")
        summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")
        lines.append(f"    {summary[:300]}")
    return "\n".join(lines)


def page_check(driver, *, test: str) -> PageCheck:
    """Check the current page at the browser's current width; record it; fail on a blocking violation or overflow."""
    width = driver.steady_width
    violations = axe_run(driver)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    overflow = overflow_px(driver) if width <= PHONE_WIDTH else 0
    check = PageCheck(
        page=page_name(driver.current_url),
        width=width,
        blocking=len(blocking),
        other=len(violations) - len(blocking),
        other_rules=tuple(sorted(v["id"] for v in violations if v["impact"] not in BLOCKING_IMPACTS)),
        overflow=overflow,
        test=test,
    )
    CHECKS.append(check)
    assert not blocking, f"{check.page} at {width} px has serious or critical accessibility violations:\n" + describe(
        blocking
    )
    if overflow:
        wide = driver.execute_script(
            "return [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > arguments[0] + 1)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 40));",
            width,
        )
        raise AssertionError(f"{check.page} scrolls sideways by {overflow} px at {width} px; widest: {wide}")
    return check


def summary_lines(checks: list[PageCheck]) -> list[str]:
    """One line per page: serious/critical and other violations at each width, and any sideways scroll at 375 px."""
    pages: dict[str, dict[int, PageCheck]] = {}
    for check in checks:
        seen = pages.setdefault(check.page, {}).get(check.width)
        # A page checked several times (in several states) shows its worst result.
        if seen is None or (check.blocking, check.other, check.overflow) > (seen.blocking, seen.other, seen.overflow):
            pages[check.page][check.width] = check
    lines = []
    for page in sorted(pages):
        cells = []
        for width in (PHONE_WIDTH, DESKTOP_WIDTH):
            check = pages[page].get(width)
            if check is None:
                cells.append(f"{width}px: not checked")
                continue
            scroll = f", sideways scroll {check.overflow}px" if check.overflow else ""
            rules = f" ({', '.join(check.other_rules)})" if check.other_rules else ""
            cells.append(f"{width}px: {check.blocking} serious/critical, {check.other} minor/moderate{rules}{scroll}")
        lines.append(f"  {page:<52} {' | '.join(cells)}")
    return lines


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CHECKS:
        return
    pages = {check.page for check in CHECKS}
    terminalreporter.write_sep("-", f"accessibility: {len(pages)} pages checked with axe-core {axe_version()}")
    for line in summary_lines(CHECKS):
        terminalreporter.write_line(line)


def axe_version() -> str:
    match = re.search(r"axe v([\d.]+)", axe_source()[:200])
    return match.group(1) if match else "?"
