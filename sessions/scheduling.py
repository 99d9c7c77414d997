"""Calendar arithmetic for group sessions: wall-clock local times, bank holidays, closures.

Pure functions with no database access, shared by weekly sessions, boosters
and check-in slots.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta

from django.utils.formats import date_format

from core.working_days import bank_holidays

# Why a week moved when its own date was free: an earlier week moved onto it (stored as written).
FOLLOWS_EARLIER_MOVE = "Follows an earlier session that moved"


def local_to_utc(local_date: date, local_time: time, time_zone: str) -> datetime:
    """Return the UTC instant of a wall-clock time in ``time_zone``.

    A wall-clock time that does not exist (the hour skipped when clocks go
    forward) resolves to the later offset, as zoneinfo does with fold=0.
    """
    aware = datetime.combine(local_date, local_time, tzinfo=zoneinfo.ZoneInfo(time_zone))
    return aware.astimezone(UTC)


def session_times(local_date: date, local_time: time, time_zone: str, *, minutes: int) -> tuple[datetime, datetime]:
    """Return the UTC (start, end) of a session held at ``local_time`` on ``local_date`` for ``minutes``."""
    starts = local_to_utc(local_date, local_time, time_zone)
    return starts, starts + timedelta(minutes=minutes)


def local_when(instant: datetime, time_zone: str) -> str:
    """The instant as people read it in ``time_zone`` ("Tuesday 3 March, 13:00"), in the active language."""
    return date_format(utc_to_local(instant, time_zone), "l j F, H:i")


def utc_to_local(instant: datetime, time_zone: str) -> datetime:
    return instant.astimezone(zoneinfo.ZoneInfo(time_zone))


def blocked_reason(day: date, *, region: str, closures: dict[date, str]) -> str | None:
    """Return why no session can be held on ``day`` (a bank holiday or closure), or None."""
    if day in closures:
        return closures[day]
    return bank_holidays(region, [day.year]).get(day)


def weekly_dates(
    first: date,
    count: int,
    *,
    region: str,
    closures: dict[date, str],
    taken: Collection[date] = (),
) -> list[tuple[date, date, str]]:
    """Plan ``count`` weekly dates from ``first``; return (planned, actual, why moved) for each.

    A week whose date is blocked moves to the next free week after the
    series, so no week's plan is ever dropped and the order is kept.
    """
    result: list[tuple[date, date, str]] = []
    used = set(taken)
    candidate = first
    for index in range(count):
        planned = first + timedelta(weeks=index)
        candidate = max(candidate, planned)
        reason = ""
        while (why := blocked_reason(candidate, region=region, closures=closures)) or candidate in used:
            reason = reason or (why or "")
            candidate += timedelta(weeks=1)
        used.add(candidate)
        moved = "" if candidate == planned else (reason or FOLLOWS_EARLIER_MOVE)
        result.append((planned, candidate, moved))
        candidate += timedelta(weeks=1)
    return result
