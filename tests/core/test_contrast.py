"""Every text and control colour in Steady's CSS reaches WCAG AA (4.5:1) against its background.

The scanner reads static/css/*.css: colour pairs declared in one rule, a text colour
with no background of its own against both page backgrounds (sand and white
panels), and the framework's coloured buttons the templates use, with the
framework's default colour unless Steady overrides it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parents[2]
CSS = sorted((BASE / "static" / "css").glob("*.css"))
TEMPLATES = BASE / "templates"
AA = 4.5

# Bootstrap 5.3's text colour for the outline buttons (what shows when Steady does not override it).
FRAMEWORK_BUTTON_COLOURS = {
    "btn-outline-primary": "#0d6efd",
    "btn-outline-secondary": "#6c757d",
    "btn-outline-success": "#198754",
    "btn-outline-danger": "#dc3545",
    "btn-outline-warning": "#ffc107",
    "btn-outline-info": "#0dcaf0",
}
FOREGROUND = {"color", "--bs-btn-color", "--bs-link-color", "--bs-secondary-color", "--bs-body-color"}
BACKGROUND = {"background", "background-color", "--bs-btn-bg"}
PAIRS = [("--bs-btn-hover-color", "--bs-btn-hover-bg"), ("--bs-btn-active-color", "--bs-btn-active-bg")]


def relative_luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(one: str, other: str) -> float:
    """WCAG 2 contrast ratio of two #rgb/#rrggbb colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def rules(text: str) -> list[tuple[str, dict[str, str]]]:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(
        r"@media[^{]*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", lambda m: "" if "print" in m.group(0)[:30] else m.group(1), text
    )
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = {}
        for part in body.split(";"):
            if ":" in part:
                name, value = part.split(":", 1)
                declarations[name.strip().lower()] = value.replace("!important", "").strip().lower()
        found.append((selector.strip(), declarations))
    return found


ALL_RULES = [rule for path in CSS for rule in rules(path.read_text())]
ROOT = {k: v for selector, d in ALL_RULES if selector == ":root" for k, v in d.items()}


def resolve(value: str | None) -> str | None:
    """A declared colour as #hex (var() followed through :root), or None when it is not a plain colour."""
    for _ in range(5):
        if value is None:
            return None
        match = re.fullmatch(r"var\((--[\w-]+)\)", value)
        if not match:
            break
        value = ROOT.get(match.group(1))
    if value in ("#fff", "white"):
        return "#ffffff"
    if value and re.fullmatch(r"#[0-9a-f]{3}|#[0-9a-f]{6}", value):
        return value
    return None


PAGE_BACKGROUNDS = [resolve(ROOT["--bs-body-bg"]), "#ffffff"]


def colour_pairs() -> list[tuple[str, str, str, str]]:
    """(where, property, foreground, background) for each pair the CSS shows."""
    pairs = []
    for selector, d in ALL_RULES:
        backgrounds = [resolve(d[name]) for name in BACKGROUND if name in d]
        backgrounds = [b for b in backgrounds if b] or PAGE_BACKGROUNDS
        for name in FOREGROUND & d.keys():
            if colour := resolve(d[name]):
                pairs.extend((selector, name, colour, b) for b in backgrounds)
        if "--bs-btn-bg" in d and "--bs-btn-color" not in d and (back := resolve(d["--bs-btn-bg"])):
            pairs.append((selector, "--bs-btn-color", "#ffffff", back))  # a filled button's white text
        for fore, back in PAIRS:
            if back in d and resolve(d[back]):
                pairs.append((selector, fore, resolve(d.get(fore)) or "#ffffff", resolve(d[back])))
    used = {c for c in FRAMEWORK_BUTTON_COLOURS if any(c in t.read_text() for t in TEMPLATES.rglob("*.html"))}
    for button in sorted(used):
        override = [resolve(d["--bs-btn-color"]) for s, d in ALL_RULES if f".{button}" in s and "--bs-btn-color" in d]
        colour = override[-1] if override else FRAMEWORK_BUTTON_COLOURS[button]
        pairs.extend((f".{button}", "text", colour, b) for b in PAGE_BACKGROUNDS)
    return pairs


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000", "#fff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#6c757d", "#f6f3ee") == pytest.approx(4.23, abs=0.01)  # the grey buttons before


def test_the_scanner_sees_the_pairs_it_must():
    wheres = {where for where, *_ in colour_pairs()}
    assert ".btn-outline-secondary" in wheres and ":root" in wheres and ".steady-muted" in wheres


def test_every_text_and_control_colour_reaches_aa():
    failing = [
        f"{where} {prop}: {fore} on {back} is {contrast_ratio(fore, back):.2f}:1"
        for where, prop, fore, back in colour_pairs()
        if contrast_ratio(fore, back) < AA
    ]
    assert not failing, "\n".join(failing)
