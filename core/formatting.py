"""Dates and numbers as pages print them, memoised: long lists repeat the same few session times.

Each result depends only on its arguments and the active language (part of the key), so the memo never
needs clearing; it holds at most a few thousand short strings per process.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.template.defaultfilters import floatformat
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language


@lru_cache(maxsize=128)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=8192)
def _local_format(value: datetime, zone_name: str, pattern: str, language: str | None) -> str:
    return date_format(value.astimezone(zone(zone_name)), pattern)


def local_format(value: datetime, zone_name: str, pattern: str) -> str:
    """``value`` (aware) in the time zone ``zone_name``, formatted as the ``date`` filter would with ``pattern``."""
    return _local_format(value, zone_name, pattern, get_language())


@lru_cache(maxsize=1024)
def _hours(minutes: int, language: str | None) -> str:
    return floatformat(round(minutes / 60, 2), "-2")


def hours_text(minutes: int) -> str:
    """Minutes as hours, as ``|floatformat:"-2"`` prints them ("1.50", "2")."""
    return _hours(minutes, get_language())
