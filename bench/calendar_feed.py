"""Benchmark: the time to build one calendar feed holding a year of events.

Not a test, and no database: the events are unsaved group sessions of cohorts in
London and Toronto, one a week for a year and as many again for one-to-one
check-ins' worth of other events, crossing both clock changes in both zones. It
prints the median and the 95th percentile per feed for ``calendar_build`` and
``calendar_validators`` (what the feed view does after its queries). The target
is under 10 ms per feed. The last line is ``feed_ms=<median>``.

    python bench/calendar_feed.py [--events 104] [--runs 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=104, help="events in the feed (default 104: two a week)")
    parser.add_argument("--runs", type=int, default=200, help="feeds built (default 200)")
    return parser.parse_known_args()[0]  # make bench passes every script the same arguments


def year_of_sessions(count: int) -> list:
    from programmes.models import Programme
    from sessions.models import Cohort, GroupSession
    from sessions.scheduling import local_to_utc

    programme = Programme(name="Bench programme", neutral_label="Staff wellbeing group")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    cohorts = [
        Cohort(pk=1, programme=programme, name="London", time_zone="Europe/London", venue="Room 1", updated_at=now),
        Cohort(pk=2, programme=programme, name="Toronto", time_zone="America/Toronto", updated_at=now),
    ]
    cohorts[1].video_link = "https://video.example.org/steady"
    sessions = []
    first = date(2026, 1, 6)
    for index in range(count):
        cohort = cohorts[index % 2]
        day = first + timedelta(days=7 * (index // 2) % 364)
        starts = local_to_utc(day, datetime.min.time().replace(hour=13), cohort.time_zone)
        sessions.append(
            GroupSession(
                pk=index + 1,
                cohort=cohort,
                number=index + 1,
                local_date=day,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=90),
                updated_at=now,
                status=GroupSession.Status.SCHEDULED,
            )
        )
    return sessions


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    from sessions.calendar import calendar_build, calendar_validators, observances

    sessions = year_of_sessions(args.events)
    calendar_build(sessions)  # warm imports
    cold = observances.cache_info().currsize
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        calendar_validators(sessions)
        body = calendar_build(sessions)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    median = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"events per feed: {args.events} (a year, London and Toronto); feeds built: {args.runs}")
    print(f"feed size: {len(body):,} bytes; time zones cached: {cold}")
    print(f"per feed: median {median:.2f} ms, p95 {p95:.2f} ms (target < 10 ms)")
    print(f"feed_ms={median:.2f}")


if __name__ == "__main__":
    main()
