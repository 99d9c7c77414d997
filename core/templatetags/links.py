"""Template links to each role's home page, so a lower app's templates never name the app that serves it."""

from __future__ import annotations

from django import template
from django.urls import reverse

from core.links import role_home_url_name

register = template.Library()


@register.simple_tag
def role_home_url(role: str) -> str:
    """``{% role_home_url "facilitator" %}``: the address of that role's home page."""
    return reverse(role_home_url_name(role))
