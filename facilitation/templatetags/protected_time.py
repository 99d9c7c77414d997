"""Protected-time lines as ready-made text, so pages that list many requests do no per-line template work."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.formatting import hours_text, local_format
from facilitation.models import ProtectedTimeLine, ProtectedTimeRequest

register = template.Library()
DASH = "\u2013"  # the en dash between two times or dates


@dataclass(frozen=True)
class LineRow:
    """One line as the lines partial shows it: the text is computed once, in the cohort's time zone."""

    decision: str
    when: str
    hours: str
    decision_label: str
    moved: str


@lru_cache(maxsize=16)
def _decision_labels(language: str | None) -> dict[str, str]:
    return {value: str(label) for value, label in ProtectedTimeLine.Decision.choices}


def line_rows(pt_request: ProtectedTimeRequest) -> list[LineRow]:
    """The request's lines (``lines.all()``, so a prefetch keeps pages at a constant number of queries)."""
    zone_name = pt_request.enrolment.cohort.time_zone
    labels = _decision_labels(get_language())
    hours_pattern = _("%(hours)s h")  # translated once for every line
    rows = []
    for line in pt_request.lines.all():
        moved = ""
        if line.moved:
            moved = _("Moved from %(old_day)s, %(old_time)s") % {
                "old_day": local_format(line.previous_starts_at, zone_name, "D j M"),
                "old_time": local_format(line.previous_starts_at, zone_name, "H:i"),
            }
            if line.previous_decision:
                moved += " (%s)" % (_("was %(decision)s") % {"decision": labels[line.previous_decision].lower()})
        starts = local_format(line.starts_at, zone_name, "D j M, H:i")
        when = f"{starts}{DASH}{local_format(line.ends_at, zone_name, 'H:i')}"
        rows.append(
            LineRow(
                decision=line.decision,
                when=when,
                hours=hours_pattern % {"hours": hours_text(line.minutes)},
                decision_label=labels[line.decision],
                moved=moved,
            )
        )
    return rows


@dataclass(frozen=True)
class Summary:
    """A request in a line of the manager's list: its dates, and what waits for a decision."""

    dates: str
    pending_count: int
    pending_hours: str


def summary(pt_request: ProtectedTimeRequest) -> Summary:
    """One pass over ``lines.all()``: first and last dates (cohort's time zone), pending sessions and hours."""
    zone_name = pt_request.enrolment.cohort.time_zone
    lines = list(pt_request.lines.all())
    pending = [line.minutes for line in lines if line.decision == ProtectedTimeLine.Decision.PENDING]
    dates = ""
    if lines:
        first = min(line.starts_at for line in lines)
        last = max(line.starts_at for line in lines)
        dates = f"{local_format(first, zone_name, 'j M')}{DASH}{local_format(last, zone_name, 'j M Y')}"
    return Summary(dates=dates, pending_count=len(pending), pending_hours=hours_text(sum(pending)))


@register.simple_tag
def protected_time_summary(pt_request: ProtectedTimeRequest) -> Summary:
    return summary(pt_request)


@register.simple_tag
def protected_time_line_rows(pt_request: ProtectedTimeRequest) -> list[LineRow]:
    return line_rows(pt_request)


@register.simple_tag
def protected_time_lines(pt_request: ProtectedTimeRequest) -> SafeString:
    """The request's lines as a list (escaped by format_html): a page of many requests renders no per-line
    template nodes. The markup is that of ``facilitation/partials/protected_time_lines.html``."""
    items = format_html_join(
        "\n",
        '<li class="pt-line"><span class="pt-when">{}</span> <span class="steady-muted">· {}</span> '
        '<span class="badge pt-{}">{}</span>{}</li>',
        (
            (
                row.when,
                row.hours,
                row.decision,
                row.decision_label,
                format_html('<br><small class="steady-muted">{}</small>', row.moved) if row.moved else "",
            )
            for row in line_rows(pt_request)
        ),
    )
    return format_html('<ul class="list-unstyled mb-0 pt-lines">\n{}\n</ul>', items)
