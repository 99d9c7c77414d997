"""Benchmark: N due reminders through Redis and real workers to a local SMTP sink.

Not a test. The same N messages are also sent from one plain smtplib connection,
the physical floor; the engine should reach at least 0.8 of it on two cores.

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/2 python bench/reminders.py --count 2000

It migrates the database it is pointed at, adds its own people (@steady.bench) and
reminders (subject "bench.run") and deletes both afterwards. Workers load the engine's
test kinds (``tests.support.celery_reminders``). The last line is ``ratio=<number>``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import smtplib
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="reminders to send (default 10,000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    # Two pool processes per worker, as the Procfile's worker runs: four senders keep the sink busy
    # while each waits for its SMTP replies and "sent" commits.
    parser.add_argument("--concurrency", type=int, default=2, help="pool processes per worker (default 2)")
    parser.add_argument("--batch", type=int, default=100, help="reminders per send task (default 100)")
    parser.add_argument("--people", type=int, default=200, help="distinct recipients (default 200)")
    return parser.parse_args()


def tidy(table: str, command: str) -> None:
    """VACUUM or ANALYZE ``table`` on PostgreSQL, as autovacuum would between runs.

    Each run writes and deletes thousands of rows; where autovacuum is off (shared test
    servers), their dead versions would otherwise slow every later run's claims and marks.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from config.celery_app import app
    from reminders.models import Reminder
    from reminders.rendering import reminder_email
    from reminders.tasks import reminders_dispatch
    from tests.reminders import kinds  # noqa: F401  (the engine's test kinds)
    from tests.support.smtp import free_port, run_sink_process
    from tests.support.worker import CeleryProcess, wait_for

    call_command("migrate", verbosity=0)
    port = free_port()
    received = multiprocessing.Value("q", 0)
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=run_sink_process, args=(port, received, ready), daemon=True)
    sink.start()
    ready.wait(10)

    people = [
        User.objects.get_or_create(email=f"bench{n}@steady.bench", defaults={"first_name": f"Bench{n}"})[0]
        for n in range(args.people)
    ]
    Reminder.objects.filter(subject_type="bench.run").delete()
    tidy(Reminder._meta.db_table, "VACUUM")
    now = timezone.now()
    rows = Reminder.objects.bulk_create(
        [
            Reminder(
                kind="test_notice",
                recipient=people[n % len(people)],
                subject_type="bench.run",
                subject_id="1",
                occurrence=str(n),
                due_at=now,
                context={"title": "Tomorrow at one", "body": f"Reminder {n}: the room is booked."},
            )
            for n in range(args.count)
        ],
        batch_size=1000,
    )
    for row in rows:
        row.recipient = people[int(row.occurrence) % len(people)]
    tidy(Reminder._meta.db_table, "ANALYZE")

    # The floor: the same messages, already rendered, over one smtplib connection.
    payloads = []
    render_started = time.perf_counter()
    for row in rows:
        message = reminder_email(row)
        payloads.append((message.from_email, message.recipients(), message.message().as_bytes(linesep="\r\n")))
    render_seconds = time.perf_counter() - render_started
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for sender, recipients, payload in payloads:
            client.sendmail(sender, recipients, payload)
    floor_seconds = time.perf_counter() - started
    wait_for(lambda: received.value == args.count, timeout=60, message="the sink to count the floor's messages")
    received.value = 0

    log_dir = BASE_DIR / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "STEADY_REMINDER_BATCH_SIZE": str(args.batch),
        "STEADY_QUIET_FROM": "0",
        "STEADY_QUIET_UNTIL": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    app.control.purge()
    workers = [
        CeleryProcess(
            f"bench{n}", log_dir, concurrency=args.concurrency, app="tests.support.celery_reminders", **env
        ).start()
        for n in range(args.workers)
    ]
    try:
        started = time.perf_counter()
        reminders_dispatch.delay()
        wait_for(lambda: received.value >= args.count, timeout=600, interval=0.02, message="the engine's messages")
        engine_seconds = time.perf_counter() - started
        wait_for(
            lambda: Reminder.objects.filter(subject_type="bench.run", status="sent").count() == args.count,
            timeout=60,
            message="every row marked sent",
        )
        time.sleep(0.5)  # anything sent twice would have reached the sink by now
        duplicates = received.value - args.count
    finally:
        for worker in workers:
            worker.stop()
        sink.terminate()
        Reminder.objects.filter(subject_type="bench.run").delete()
        User.objects.filter(email__endswith="@steady.bench").delete()

    floor_rate = args.count / floor_seconds
    engine_rate = args.count / engine_seconds
    print(f"reminders={args.count} workers={args.workers}x{args.concurrency} batch={args.batch} cpus={os.cpu_count()}")
    print(f"floor  (one smtplib connection): {floor_seconds:7.2f} s  {floor_rate:8.0f} messages/s")
    print(f"engine (Redis + workers + SMTP): {engine_seconds:7.2f} s  {engine_rate:8.0f} messages/s")
    # For context: one process that renders each message and then sends it (no database marks).
    loop_seconds = render_seconds + floor_seconds
    print(f"one process, render + send:      {loop_seconds:7.2f} s  {args.count / loop_seconds:8.0f} messages/s")
    print(f"duplicates={duplicates}")
    print(f"ratio={engine_rate / floor_rate:.2f}")


if __name__ == "__main__":
    main()
