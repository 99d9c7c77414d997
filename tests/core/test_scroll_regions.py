"""A table that scrolls sideways on a phone can be reached and scrolled with the keyboard (axe's
scrollable-region-focusable): every ``table-responsive`` box is focusable and named."""

from __future__ import annotations

import re
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [BASE / "templates", *BASE.glob("*/templates")]
BOX = re.compile(r"<div\b[^>]*\btable-responsive\b[^>]*>")


def scroll_boxes() -> list[tuple[str, str]]:
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            found += [(str(path.relative_to(BASE)), tag) for tag in BOX.findall(path.read_text(encoding="utf-8"))]
    return found


def test_the_scanner_finds_the_scrolling_tables() -> None:
    pages = {path for path, _tag in scroll_boxes()}
    assert "templates/facilitation/partials/organisation_report_tables.html" in pages
    assert "reminders/templates/reminders/operations.html" in pages


def test_every_scrolling_table_is_focusable_and_named() -> None:
    missing = [
        f"{path}: {tag}"
        for path, tag in scroll_boxes()
        if not (
            'tabindex="0"' in tag and 'role="region"' in tag and ("aria-label=" in tag or "aria-labelledby=" in tag)
        )
    ]
    assert missing == []


def test_no_two_scrolling_tables_share_one_generic_name() -> None:
    # Two regions called the same on one page are two landmarks a screen reader cannot tell apart.
    generic = [f"{path}: {tag}" for path, tag in scroll_boxes() if "Scrollable table" in tag]
    assert generic == []
