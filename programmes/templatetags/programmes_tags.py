from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from programmes.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """Render Markdown as sanitised HTML (see programmes.rendering)."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - nh3 has cleaned it
