"""Accessible charts drawn on the server as SVG: no JavaScript, no CDN.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says
in words what it shows; the page puts a data table next to it for anyone who
prefers the numbers (or uses a screen reader).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 360, 200, 36, 12, 12, 28
# Distinguishable in colour-blind vision and in greyscale; each line also has its own marker.
COLOURS = ("#1b5e8c", "#c2571a", "#2e7d32", "#6a3d9a", "#8c6d1f", "#444444")


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[float | None]  # one per x label; None: no value there


def line_chart(
    *, title: str, desc: str, x_labels: Sequence[str], series: Sequence[Series], y_min: float, y_max: float
) -> SafeString:
    """A line chart of one or more series over the same x labels (time points)."""
    span = (y_max - y_min) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(x_labels) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(x_labels) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h - (v - y_min) / span * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="steady-chart" width="100%" style="max-width:{WIDTH * 2}px" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#888"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#888"/>',
    ]
    for tick in (y_min, (y_min + y_max) / 2, y_max):
        parts.append(f'<text x="{LEFT - 4}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="10">{_num(tick)}</text>')
    for i, label in enumerate(x_labels):
        # The first and last labels align with the plot's edges so a long label is never cut off.
        anchor = "middle" if len(x_labels) == 1 or 0 < i < len(x_labels) - 1 else ("start" if i == 0 else "end")
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}" font-size="10">{escape(label)}</text>'
        )
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = [(x(i), y(v)) for i, v in enumerate(s.points) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for px, py in points:
            marker = (
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>'
                if n % 2 == 0
                else f'<rect x="{px - 3:.1f}" y="{py - 3:.1f}" width="7" height="7" fill="{colour}"/>'
            )
            parts.append(marker)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _num(value: float) -> str:
    return f"{value:g}"
