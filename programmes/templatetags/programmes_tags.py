from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programmes.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """Render Markdown as sanitised HTML (see programmes.rendering)."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - nh3 has cleaned it


@register.filter(name="booster_weeks")
def booster_weeks(offsets: list[int] | None) -> str:
    """[4, 12] -> "2 boosters: 4 and 12 weeks after the last weekly session" (never read as "4, 12 weeks")."""
    if not offsets:
        return _("None")
    weeks = get_text_list([str(week) for week in offsets], _("and"))
    return ngettext(
        "1 booster: %(weeks)s weeks after the last weekly session",
        "%(count)d boosters: %(weeks)s weeks after the last weekly session",
        len(offsets),
    ) % {"count": len(offsets), "weeks": weeks}
