"""Render the Markdown of materials and information packs as safe HTML."""

from __future__ import annotations

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def as_markdown(text: str) -> SafeString:
    """Markdown to HTML, cleaned of anything but plain formatting (nh3 keeps a safe tag list)."""
    return mark_safe(nh3.clean(markdown_lib.markdown(text or "", extensions=["sane_lists"])))  # noqa: S308
