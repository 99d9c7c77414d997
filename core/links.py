"""Absolute links for emails and calendars: the site address joined to a path or a URL name, in one place."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def absolute_url(path_or_name: str, **kwargs: object) -> str:
    """Return ``STEADY_SITE_URL`` + the path, or + ``reverse(name, kwargs=kwargs)`` for a URL name.

    A value starting with "/" is a path (kwargs must be empty); anything else is a URL name.
    """
    if path_or_name.startswith("/"):
        if kwargs:
            raise TypeError("absolute_url takes keyword arguments only with a URL name.")
        path = path_or_name
    else:
        path = reverse(path_or_name, kwargs=kwargs or None)
    return settings.STEADY_SITE_URL.rstrip("/") + path


def role_home_url_name(role: str) -> str:
    """The URL name of a role's home page (``STEADY_ROLE_HOME_URL_NAMES``, set where the home pages live)."""
    return settings.STEADY_ROLE_HOME_URL_NAMES[role]
