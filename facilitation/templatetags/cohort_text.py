"""Render the Markdown of materials and information packs as safe HTML."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from programmes.rendering import render_markdown

register = template.Library()


@register.filter
def as_markdown(text: str) -> SafeString:
    """Markdown to HTML exactly as the programme library renders it (tables too), sanitised with nh3."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308  (render_markdown sanitises)
