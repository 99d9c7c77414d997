"""Working-day arithmetic: bank holidays of a region and deadlines counted in working days.

Pure functions with no database access. A region is a ``holidays`` library code,
country and optional subdivision joined by a hyphen ("GB-ENG", "CA-ON", "IE");
an empty region has no bank holidays.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holiday_calendar(region: str, years: tuple[int, ...]) -> dict[date, str]:
    if not region:
        return {}
    country, _, subdivision = region.partition("-")
    calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=years)
    return dict(calendar.items())


def bank_holidays(region: str, years: Iterable[int]) -> dict[date, str]:
    """Return the bank holidays of a region by date, with their names."""
    return _holiday_calendar(region, tuple(sorted(set(years))))


def is_working_day(day: date, *, region: str) -> bool:
    """Monday to Friday and not a bank holiday of ``region``."""
    return day.weekday() < 5 and day not in bank_holidays(region, [day.year])


def add_working_days(*, instant: datetime, days: int, region: str, time_zone: str) -> datetime:
    """Return ``instant`` moved forward by ``days`` working days (Monday to Friday, not bank holidays).

    The local time of day is kept: asked on Friday 16:00, two working days
    later is Tuesday 16:00 (Wednesday 16:00 if Monday is a bank holiday).
    """
    local = instant.astimezone(zoneinfo.ZoneInfo(time_zone))
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, region=region):
            counted += 1
    return datetime.combine(day, local.timetz()).astimezone(instant.tzinfo)
