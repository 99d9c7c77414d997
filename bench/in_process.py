"""Benchmark in one process: a page's time and queries against the floor's, and where the time goes.

Not a test. Reads the data set ``bench/load.py`` built (run that once first; this only reads it) with the
same production settings, through Django's test client (no server, no other clients), so the figures are
steadier than the load run's on a shared machine. Prints, per page, the median and p95 of ``--runs``
requests, the same for ``/bench/floor/`` signed in as the same person, their ratio and the query count;
``--profile`` adds cProfile's top functions by cumulative time for the page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/steady_bench REDIS_URL=redis://127.0.0.1:6379/14 \\
        python bench/in_process.py [--runs 200] [--profile] [--page "facilitator home" ...]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from statistics import median

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))

from load import SETTINGS_ENV, percentile  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="requests per page (default 200)")
    parser.add_argument("--page", action="append", help="a page name (default: every page); may repeat")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions per page")
    parser.add_argument("--top", type=int, default=35, help="functions shown by --profile (default 35)")
    return parser.parse_args()


def pages() -> dict[str, tuple[str, object]]:
    """One address and one person per page, as bench/load.py picks them."""
    from django.utils import timezone

    from accounts.models import User
    from sessions.models import GroupSession

    facilitator = User.objects.filter(is_facilitator=True).order_by("pk").first()
    session = (
        GroupSession.objects.filter(cohort__facilitators=facilitator, starts_at__lt=timezone.now())
        .order_by("-starts_at")
        .first()
    )
    participant = User.objects.filter(is_participant=True).order_by("pk").first()
    manager = User.objects.filter(is_manager=True).order_by("pk").first()
    lead = User.objects.filter(is_service_lead=True).first()
    return {
        "facilitator home": ("/facilitating/", facilitator),
        "service report": ("/service/report/", lead),
        "run session": (f"/facilitating/sessions/{session.pk}/", facilitator),
        "cohort page": (f"/facilitating/cohorts/{session.cohort_id}/", facilitator),
        "participant home": ("/me/", participant),
        "manager home": ("/team/", manager),
    }


def timed(client, path: str, runs: int) -> tuple[list[float], float]:
    """Wall times of ``runs`` requests, and the median CPU time this process spent on one (the Python side:
    steadier than wall time when other work loads the machine, but without the database's own time)."""
    times, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(path, secure=True)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        assert response.status_code == 200, (path, response.status_code)
    return times, median(cpu)


def main() -> None:
    args = parse_args()
    os.environ.update(SETTINGS_ENV)
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client

    if connection.vendor != "postgresql":
        raise SystemExit("bench/in_process.py reads bench/load.py's data set: set DATABASE_URL (and REDIS_URL).")
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.runs} runs each")
    heads = ("queries", "p50 ms", "p95 ms", "floor p50", "floor p95", "p50 x", "p95 x", "cpu ms", "floor cpu")
    print(f"{'page':<18} " + " ".join(f"{h:>9}" for h in heads))
    for name, (path, person) in pages().items():
        if args.page and name not in args.page:
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(person)
        for _ in range(3):  # warm templates, caches and the connection
            client.get(path, secure=True)
            client.get("/bench/floor/", secure=True)
        queries: list[str] = []

        def counted(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(counted):
            client.get(path, secure=True)
        floor, floor_cpu = timed(client, "/bench/floor/", args.runs)
        page, page_cpu = timed(client, path, args.runs)
        f50, f95, p50, p95 = median(floor), percentile(floor, 0.95), median(page), percentile(page, 0.95)
        print(
            f"{name:<18} {len(queries):>9} {p50 * 1000:>9.1f} {p95 * 1000:>9.1f} {f50 * 1000:>9.1f} {f95 * 1000:>9.1f}"
            f" {p50 / f50:>9.1f} {p95 / f95:>9.1f} {page_cpu * 1000:>9.1f} {floor_cpu * 1000:>9.1f}"
        )
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(max(1, args.runs // 4)):
                client.get(path, secure=True)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
            print(out.getvalue())
        reset_queries()
    load = os.getloadavg()
    print(f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
