"""Benchmark in one process: the participant and manager homes against the floor page, with queries and a profile.

Not a test. Run after ``bench/load.py`` has built its data set (it reuses that database and never writes
to it, beyond the sessions the test client signs in with). No server and no client processes, so the figures
move less with the load of the machine than bench/load.py's; the load average is printed with them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/steady_bench REDIS_URL=redis://127.0.0.1:6379/14 \\
        python bench/homes.py [--requests 200] [--profile participant|manager] [--cold]

``--cold`` empties each person's cached page before every request (the figures without the page cache's hits).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from statistics import median

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

SETTINGS_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_LOG_LEVEL": "WARNING",
    "STEADY_BENCH_FLOOR": "1",
    # bench/load.py collects the static files here (the manifest the production settings read).
    "DJANGO_STATIC_ROOT": str(BASE_DIR / "var" / "bench-static"),
}


PROFILED = 50
# (label, part of the file name, function): cumulative time of each, per request, from the profile.
WHERE = (
    ("the whole request", "django/test/client.py", "request"),
    ("sign-in (session and user)", "django/contrib/auth/middleware.py", "get_user"),
    ("participant home: reads (selector)", "facilitation/selectors/homes.py", "participant_home"),
    ("manager inbox: reads", "facilitation/selectors/protected_time.py", "protected_time_requests_to_decide"),
    ("  SQL compiled by the ORM (as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    ("  SQL sent and waited for (psycopg execute)", "psycopg/cursor.py", "execute"),
    ("templates rendered (render_to_string)", "django/template/loader.py", "render_to_string"),
    ("page cache: fragment (hit or render)", "core/page_cache.py", "fragment"),
    ("page cache: cache trips (redis get/get_many)", "django/core/cache/backends/redis.py", "get_many"),
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests of each page (default 200)")
    parser.add_argument("--profile", choices=("participant", "manager"), help="print a cProfile of this home")
    parser.add_argument("--cold", action="store_true", help="empty the page cache before each request")
    return parser.parse_args()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    args = parse_args()
    os.environ.update(SETTINGS_ENV)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    if connection.vendor != "postgresql":
        raise SystemExit("bench/homes.py reads bench/load.py's data set: set DATABASE_URL (and REDIS_URL).")
    participants = list(User.objects.filter(is_participant=True).order_by("pk")[::40][:8])
    managers = list(User.objects.filter(is_manager=True).order_by("pk")[:8])
    if not participants or not managers:
        raise SystemExit("No data set: run bench/load.py --quick first.")

    def signed_in(user: User) -> Client:
        c = Client(HTTP_X_FORWARDED_PROTO="https", SERVER_NAME="127.0.0.1")
        c.force_login(user)
        return c

    pages = {
        "floor": [(signed_in(p), "/bench/floor/", p) for p in participants],
        "participant home": [(signed_in(p), "/me/", p) for p in participants],
        "manager home": [(signed_in(m), "/team/", m) for m in managers],
    }

    def forget(user: User) -> None:
        if args.cold:
            try:
                from core.page_cache import bump
            except ImportError:
                return
            bump(f"person:{user.pk}")

    def get(c: Client, path: str) -> None:
        response = c.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")

    for rows in pages.values():  # warm templates, connections and caches
        for c, path, _user in rows:
            get(c, path)
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    heading = ("page", "requests", "p50 ms", "p95 ms", "p50/floor", "p95/floor", "queries")
    print(f"{heading[0]:<18} " + " ".join(f"{h:>{10 if '/' in h else 8}}" for h in heading[1:]))
    floor = None
    for name, rows in pages.items():
        times = []
        for i in range(args.requests):
            c, path, user = rows[i % len(rows)]
            forget(user)
            t0 = time.perf_counter()
            get(c, path)
            times.append(time.perf_counter() - t0)
        c, path, user = rows[0]
        forget(user)
        with CaptureQueriesContext(connection) as captured:
            get(c, path)
        p50, p95 = median(times), percentile(times, 0.95)
        floor = floor or (p50, p95)
        print(
            f"{name:<18} {args.requests:>8} {p50 * 1000:>8.1f} {p95 * 1000:>8.1f} "
            f"{p50 / floor[0]:>10.2f} {p95 / floor[1]:>10.2f} {len(captured):>8}"
        )
    load = os.getloadavg()
    print(f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.profile:
        rows = pages[f"{args.profile} home"]
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(PROFILED):
            c, path, user = rows[i % len(rows)]
            forget(user)
            get(c, path)
        profiler.disable()
        stats = pstats.Stats(profiler)
        print(f"where the time goes, ms a request ({args.profile} home, {'cold' if args.cold else 'warm'}):")
        for label, file_part, function in WHERE:
            total = sum(
                row[3]
                for (filename, _line, name), row in stats.stats.items()
                if file_part in filename and name == function
            )
            print(f"  {label:<44} {total * 1000 / PROFILED:>7.1f}")
        stats.sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
