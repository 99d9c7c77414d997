"""The organisation report's figures, worked out at most once every few minutes and kept in the cache.

Freshness rule, not invalidation: the report gathers places, scores, protected-time decisions and people's
teams from across the service (writes in four apps and the admin), and a service lead reads it far more often
than all that changes, at a pace where minutes do not matter. So the rendered tables are kept for
``STEADY_ORGANISATION_REPORT_MAX_AGE`` seconds (default 600) and then worked out again; the page says when
they were worked out. ``max age 0`` works them out on every request.

The kept part is the report's tables only: the same for every service lead (counts and means over the whole
service, every cell under 5 people suppressed, nothing about who reads it), so it is kept once, not per
person. Sign-out's CSRF token, messages and the "worked out at" time (in the reader's own time zone) are
outside it, in the page around it. The CSV is worked out afresh on each download.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from measures.reports import COMPARISONS

KEY = "organisation-report:1:{to}:{language}"


@dataclass(frozen=True)
class KeptReport:
    html: str
    worked_out_at: datetime


def comparison_kept(to: str) -> str:
    """The comparison a ``?to=`` asks for: mid, end, or "" (the report's default); anything else is ""."""
    return to if to in COMPARISONS else ""


def organisation_report_kept(*, to: str, render: Callable[[str], str]) -> KeptReport:
    """The report's tables for comparison ``to``: kept ones if worked out within the max age, else ``render(to)``."""
    to = comparison_kept(to)
    key = KEY.format(to=to or "default", language=get_language() or "")
    max_age = settings.STEADY_ORGANISATION_REPORT_MAX_AGE
    now = timezone.now()
    kept = cache.get(key) if max_age > 0 else None
    # Checked here as well as by the cache's own expiry, so the rule holds whatever the backend's clock.
    if isinstance(kept, KeptReport) and timedelta(0) <= now - kept.worked_out_at < timedelta(seconds=max_age):
        return kept
    kept = KeptReport(html=render(to), worked_out_at=now)
    if max_age > 0:
        cache.set(key, kept, timeout=max_age)
    return kept


def organisation_report_forget() -> None:
    """Drop every kept report (tests start from nothing; an operator may call it after a bulk import)."""
    languages = [code for code, _name in settings.LANGUAGES]
    cache.delete_many(
        [KEY.format(to=to or "default", language=code) for to in ("", *COMPARISONS) for code in languages]
    )
