"""Links a higher app adds to the cohort page (e.g. protected time), declared in one place.

The cohort page lives in sessions, which never names the apps above it. A
higher app registers a ``CohortLink`` from its ``AppConfig.ready``; the page
shows each one, in registration order, with the cohort's id in the address.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class CohortLink:
    # URL name taking the cohort's ``pk``.
    url_name: str
    label: str | Promise


_LINKS: list[CohortLink] = []


def cohort_link_register(link: CohortLink) -> CohortLink:
    """Add ``link`` to the cohort page; refuse the same address twice."""
    if any(existing.url_name == link.url_name for existing in _LINKS):
        raise ImproperlyConfigured(f"A cohort page link to {link.url_name!r} is already registered.")
    _LINKS.append(link)
    return link


def cohort_links_for(*, cohort_pk: int) -> list[tuple[str, str | Promise]]:
    """(address, label) of each registered link, for one cohort."""
    return [(reverse(link.url_name, kwargs={"pk": cohort_pk}), link.label) for link in _LINKS]
