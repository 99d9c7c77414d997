"""Benchmark: the pages people open most, under load, on a hospital-sized data set.

Not a test. Builds a large data set on PostgreSQL in bulk (200 cohorts, 1,600 participants with their
sessions, attendance, check-ins, help requests, protected-time requests, reminders and questionnaire
responses with their scores; 50 managers), starts gunicorn (2 x cores + 1 workers, production settings,
DEBUG off, local) and drives it from separate processes with signed-in people of every role. A floor page
(``/bench/floor/``: a constant answer through the same middleware, session and sign-in, routed only when
``STEADY_BENCH_FLOOR`` is set) measures the framework's own cost in the same run; each page's p95 is divided
by the floor's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/steady_bench REDIS_URL=redis://127.0.0.1:6379/14 \\
        python bench/load.py [--quick]

It migrates and empties the database it is pointed at (only ever point it at a benchmark database),
requests only 127.0.0.1, stops by itself and stops gunicorn. The last line is ``worst_p95_ratio=<number>``.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

# The targets of issue 17: each page's p95 over the floor's p95.
TARGETS = {
    "participant home": 3,
    "manager home": 3,
    "calendar feed": 3,
    "facilitator home": 5,
    "run session": 5,
    "cohort page": 5,
    "service report": 5,
}
SECRET = "bench-only-not-a-secret-" + "x" * 40


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller set and a shorter run (under a minute)")
    parser.add_argument("--cohorts", type=int, help="cohorts (default 200; 20 with --quick)")
    parser.add_argument("--seconds", type=float, help="how long to drive the server (default 60; 25 with --quick)")
    # As many clients as cores: the server is kept busy without a queue of requests waiting for a core, so
    # each page's time is its own work (and the floor's is the framework's), not the wait behind others.
    parser.add_argument("--clients", type=int, default=os.cpu_count() or 1, help="client processes (default: cores)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the data set of a previous run of the same size")
    return parser.parse_args()


# --- The data set -------------------------------------------------------------


def build(*, cohorts: int, keep: bool) -> dict:
    """Fill the database in bulk; return the logins and addresses the clients use."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils.crypto import get_random_string

    from accounts.models import User
    from facilitation.models import ProtectedTimeLine, ProtectedTimeRequest
    from programmes.models import SessionPlan
    from programmes.services.importing import programme_load_builtin
    from reminders.models import Reminder
    from sessions.models import Attendance, CalendarFeed, CheckIn, Cohort, Enrolment, GroupSession, HelpRequest

    call_command("migrate", verbosity=0)
    per_cohort, facilitators_n, managers_n = 8, max(2, cohorts // 2), max(2, cohorts // 4)
    participants_n = cohorts * per_cohort
    if (
        keep
        and Cohort.objects.count() == cohorts
        and User.objects.filter(is_participant=True).count() == participants_n
    ):
        print(f"data set kept: {cohorts} cohorts, {participants_n} participants")
        return plan_logins()

    started = time.perf_counter()
    with connection.cursor() as cursor:
        tables = [m._meta.db_table for m in (User,)]
        cursor.execute(f"TRUNCATE {', '.join(tables)}, django_session RESTART IDENTITY CASCADE")
        cursor.execute("TRUNCATE programmes_programme RESTART IDENTITY CASCADE")
    password = make_password("bench-password")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    london = ZoneInfo("Europe/London")
    rng = random.Random(17)

    def people(prefix: str, n: int, **flags: object) -> list[User]:
        return [
            User(
                email=f"{prefix}{i}@steady.bench",
                first_name=f"{prefix.title()}{i}",
                last_name="Bench",
                password=password,
                **flags,
            )
            for i in range(n)
        ]

    with transaction.atomic():
        lead = User.objects.create(
            email="lead@steady.bench", first_name="Lead", password=password, is_service_lead=True
        )
        programme, _created = programme_load_builtin(by=lead)
        plans = {(p.kind, p.number): p for p in SessionPlan.objects.filter(programme=programme)}
        weekly = sorted(p.number for (kind, _n), p in plans.items() if kind == SessionPlan.Kind.WEEKLY)
        boosters = sorted(p.number for (kind, _n), p in plans.items() if kind == SessionPlan.Kind.BOOSTER)
        managers = User.objects.bulk_create(people("manager", managers_n, is_manager=True))
        facilitators = User.objects.bulk_create(people("facilitator", facilitators_n, is_facilitator=True))
        participants = people("participant", participants_n, is_participant=True)
        for i, person in enumerate(participants):
            person.line_manager = managers[i % managers_n]
        participants = User.objects.bulk_create(participants, batch_size=2000)

        # Cohorts started between ten weeks ago and four weeks ahead, on weekdays, 13:00 London.
        cohort_rows = []
        for c in range(cohorts):
            weeks_in = rng.randint(-4, 10)
            start = (now.astimezone(london) - timedelta(weeks=weeks_in)).date()
            cohort_rows.append(
                Cohort(
                    programme=programme,
                    name=f"Bench group {c:03d}",
                    start_date=start,
                    weekday=start.weekday(),
                    start_time=datetime(2000, 1, 1, 13).time(),
                    session_minutes=programme.session_minutes,
                    capacity=per_cohort + 2,
                    venue=f"Room {c % 9}",
                    status=Cohort.Status.RUNNING if weeks_in >= 0 else Cohort.Status.RECRUITING,
                    created_by=lead,
                )
            )
        cohort_rows = Cohort.objects.bulk_create(cohort_rows)
        through = Cohort.facilitators.through
        through.objects.bulk_create(
            through(cohort_id=cohort.pk, user_id=facilitators[(2 * i + k) % facilitators_n].pk)
            for i, cohort in enumerate(cohort_rows)
            for k in range(2)
        )

        sessions = []
        for cohort in cohort_rows:
            dates = [("weekly", n, cohort.start_date + timedelta(weeks=n - 1)) for n in weekly]
            last = dates[-1][2]
            offsets = programme.booster_offsets_weeks or []
            dates += [
                ("booster", n, last + timedelta(weeks=offsets[i])) for i, n in enumerate(boosters[: len(offsets)])
            ]
            for kind, number, day in dates:
                starts = datetime.combine(day, cohort.start_time, tzinfo=london).astimezone(UTC)
                past = starts < now
                sessions.append(
                    GroupSession(
                        cohort=cohort,
                        session_plan=plans[(kind, number)],
                        kind=kind,
                        number=number,
                        planned_date=day,
                        local_date=day,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=cohort.session_minutes),
                        status=GroupSession.Status.HELD if past else GroupSession.Status.SCHEDULED,
                        held_at=starts + timedelta(minutes=cohort.session_minutes) if past else None,
                    )
                )
        sessions = GroupSession.objects.bulk_create(sessions, batch_size=2000)
        by_cohort: dict[int, list[GroupSession]] = {}
        for s in sessions:
            by_cohort.setdefault(s.cohort_id, []).append(s)

        enrolments = []
        for i, person in enumerate(participants):
            cohort = cohort_rows[i // per_cohort]
            enrolments.append(
                Enrolment(
                    cohort=cohort,
                    participant=person,
                    status=Enrolment.Status.ENROLLED,
                    place_number=i % per_cohort + 1,
                    acknowledged_at=now - timedelta(weeks=12),
                    confirmed_at=now - timedelta(weeks=11),
                )
            )
        # Some people also wait for a place in another group.
        enrolments += [
            Enrolment(
                cohort=cohort_rows[(i // per_cohort + 1) % cohorts], participant=person, status=Enrolment.Status.INVITED
            )
            for i, person in enumerate(participants)
            if i % 10 == 0
        ]
        enrolments = Enrolment.objects.bulk_create(enrolments, batch_size=2000)

        attendance = []
        for e in enrolments:
            if e.status != Enrolment.Status.ENROLLED:
                continue
            for s in by_cohort[e.cohort_id]:
                if s.status == GroupSession.Status.HELD:
                    status = rng.choices(["present", "late", "apologies", "absent"], weights=[80, 8, 7, 5])[0]
                    attendance.append(Attendance(group_session=s, participant_id=e.participant_id, status=status))
                elif rng.random() < 0.05:
                    attendance.append(Attendance(group_session=s, participant_id=e.participant_id, status="apologies"))
        Attendance.objects.bulk_create(attendance, batch_size=5000)

        # Check-ins: one held last month and one booked next fortnight each, in hour slots per facilitator.
        slot: dict[int, int] = {}
        checkins = []
        for i, person in enumerate(participants):
            cohort = cohort_rows[i // per_cohort]
            facilitator = facilitators[(2 * (i // per_cohort)) % facilitators_n]
            for base, status in ((now - timedelta(days=30), "held"), (now + timedelta(days=1), "booked")):
                n = slot.get(facilitator.pk, 0)
                slot[facilitator.pk] = n + 1
                starts = base + timedelta(hours=n)
                checkins.append(
                    CheckIn(
                        cohort=cohort,
                        facilitator=facilitator,
                        participant=person,
                        kind=CheckIn.Kind.MID_PROGRAMME,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=30),
                        status=status,
                        notes="Talked about the week." if status == "held" else "",
                    )
                )
        CheckIn.objects.bulk_create(checkins, batch_size=5000)
        HelpRequest.objects.bulk_create(
            HelpRequest(cohort=cohort_rows[i // per_cohort], participant=person, message="Could we talk this week?")
            for i, person in enumerate(participants)
            if i % 10 == 3
        )

        # Protected time: a request per place, a line per session; a quarter still wait for the manager.
        requests = []
        for n, e in enumerate(x for x in enrolments if x.status == Enrolment.Status.ENROLLED):
            waiting = n % 4 == 0
            requests.append(
                ProtectedTimeRequest(
                    enrolment=e,
                    status=ProtectedTimeRequest.Status.SUBMITTED if waiting else ProtectedTimeRequest.Status.APPROVED,
                    version=1,
                    awaiting_since=now - timedelta(days=n % 6) if waiting else None,
                    submitted_at=now - timedelta(days=7),
                    decided_at=None if waiting else now - timedelta(days=5),
                )
            )
        requests = ProtectedTimeRequest.objects.bulk_create(requests, batch_size=2000)
        cohort_of = {e.pk: e.cohort_id for e in enrolments}
        lines = [
            ProtectedTimeLine(
                request=r,
                group_session=s,
                starts_at=s.starts_at,
                ends_at=s.ends_at + timedelta(minutes=30),
                minutes=(s.ends_at - s.starts_at).seconds // 60 + 30,
                decision="pending" if r.status == ProtectedTimeRequest.Status.SUBMITTED else "approved",
            )
            for r in requests
            for s in by_cohort[cohort_of[r.enrolment_id]]
        ]
        ProtectedTimeLine.objects.bulk_create(lines, batch_size=5000)

        # Reminders: the next sessions' reminders pending, the past ones sent (some unread in the bell).
        reminders = []
        for e in enrolments:
            if e.status != Enrolment.Status.ENROLLED:
                continue
            for s in by_cohort[e.cohort_id]:
                due = s.starts_at - timedelta(days=1)
                sent = due < now
                reminders.append(
                    Reminder(
                        kind="session_tomorrow",
                        recipient_id=e.participant_id,
                        subject_type="group_sessions.groupsession",
                        subject_id=str(s.pk),
                        due_at=due,
                        status=Reminder.Status.SENT if sent else Reminder.Status.PENDING,
                        sent_at=due if sent else None,
                        read_at=due + timedelta(hours=2) if sent and rng.random() < 0.7 else None,
                    )
                )
        Reminder.objects.bulk_create(reminders, batch_size=5000)
        CalendarFeed.objects.bulk_create(
            CalendarFeed(user=person, token=get_random_string(40)) for person in [*participants, *facilitators]
        )

        responses, scores = build_questionnaires(programme=programme, enrolments=enrolments, now=now, rng=rng)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"data set: {cohorts} cohorts, {len(sessions)} sessions, {participants_n} participants, "
        f"{facilitators_n} facilitators, {managers_n} managers, {len(attendance)} attendance, "
        f"{len(checkins)} check-ins, {len(requests)} protected-time requests ({len(lines)} lines), "
        f"{len(reminders)} reminders; built in {time.perf_counter() - started:.1f} s"
    )
    print(f"questionnaire responses: {responses} submitted, {scores} scale scores")
    del SessionStore
    return plan_logins()


def build_questionnaires(*, programme, enrolments: list, now: datetime, rng: random.Random) -> tuple[int, int]:
    """PHQ-9 and GAD-7 scheduled on the programme; every enrolled participant's baseline and mid-programme
    answers, submitted and scored, in bulk (the organisation report and the cohort results read these)."""
    from decimal import Decimal

    from measures.models import Response, Scale, Score
    from measures.services import measure_schedule_add, measures_load_builtin
    from sessions.models import Enrolment

    measures = {measure.code: measure for measure, _state in measures_load_builtin()}
    chosen = [measures[code] for code in ("phq-9", "gad-7")]
    for measure in chosen:
        measure_schedule_add(programme=programme, measure=measure, time_point="baseline")
        measure_schedule_add(programme=programme, measure=measure, time_point="mid", week=6)
    scales = {measure.pk: list(Scale.objects.filter(measure=measure)) for measure in chosen}
    rows = []
    for e in enrolments:
        if e.status != Enrolment.Status.ENROLLED:
            continue
        for measure in chosen:
            for time_point, weeks_ago in (("baseline", 12), ("mid", 6)):
                at = now - timedelta(weeks=weeks_ago)
                rows.append(
                    Response(
                        measure=measure,
                        participant_id=e.participant_id,
                        cohort_id=e.cohort_id,
                        time_point=time_point,
                        status=Response.Status.SUBMITTED,
                        started_at=at,
                        submitted_at=at + timedelta(minutes=5),
                    )
                )
    rows = Response.objects.bulk_create(rows, batch_size=5000)
    scores = []
    for response in rows:
        for scale in scales[response.measure_id]:
            # Scores fall a little between baseline and mid-programme, as the report expects to show.
            value = Decimal(max(0, rng.randint(0, 15) - (3 if response.time_point == "mid" else 0)))
            answered = response.measure.item_count
            scores.append(Score(response=response, scale=scale, value=value, raw_value=value, answered=answered))
    Score.objects.bulk_create(scores, batch_size=5000)
    return len(rows), len(scores)


def plan_logins() -> dict:
    """Sign in a sample of every role (sessions written as force_login would) and list the pages to request."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.models import User
    from sessions.models import CalendarFeed, GroupSession

    def cookie(user: User) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return f"sessionid={store.session_key}"

    pages: dict[str, list[tuple[str, str]]] = {name: [] for name in ("floor", *TARGETS)}
    participants = list(User.objects.filter(is_participant=True).order_by("pk")[::40][:40])
    facilitators = list(User.objects.filter(is_facilitator=True).order_by("pk")[:20])
    managers = list(User.objects.filter(is_manager=True).order_by("pk")[:10])
    leads = list(User.objects.filter(is_service_lead=True))
    feeds = dict(CalendarFeed.objects.filter(user__in=participants).values_list("user_id", "token"))
    now = timezone.now()
    for person in participants:
        c = cookie(person)
        pages["participant home"].append(("/me/", c))
        pages["calendar feed"].append((f"/calendar/{feeds[person.pk]}.ics", ""))
        pages["floor"].append(("/bench/floor/", c))
    for person in facilitators:
        c = cookie(person)
        pages["facilitator home"].append(("/facilitating/", c))
        pages["floor"].append(("/bench/floor/", c))
        session = (
            GroupSession.objects.filter(cohort__facilitators=person, starts_at__lt=now).order_by("-starts_at").first()
        )
        if session:
            pages["run session"].append((f"/facilitating/sessions/{session.pk}/", c))
            pages["cohort page"].append((f"/facilitating/cohorts/{session.cohort_id}/", c))
    for person in managers:
        c = cookie(person)
        pages["manager home"].append(("/team/", c))
        pages["floor"].append(("/bench/floor/", c))
    for person in leads:
        pages["service report"].append(("/service/report/", cookie(person)))
    return pages


# --- The server ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


STATIC_ROOT = BASE_DIR / "var" / "bench-static"
# Production settings, local: the same secret in this process (which writes the sessions) and the server.
SETTINGS_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": SECRET,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_STATIC_ROOT": str(STATIC_ROOT),
    "DJANGO_LOG_LEVEL": "WARNING",
    "STEADY_BENCH_FLOOR": "1",
}


def server_env() -> dict[str, str]:
    static_root = STATIC_ROOT
    env = {**os.environ, **SETTINGS_ENV}
    if not (static_root / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True
        )
    return env


def start_gunicorn(*, port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            *(str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
            *("--log-level", "warning", "--graceful-timeout", "5"),
        ],
        cwd=BASE_DIR,
        env=server_env(),
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = request(port, "/health/", "")
            if status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped before answering")
        time.sleep(0.2)
    stop(process)
    raise SystemExit("gunicorn did not answer /health/ within a minute")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


# --- The clients --------------------------------------------------------------


def request(port: int, path: str, cookie: str) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
        if cookie:
            headers["Cookie"] = cookie
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        conn.close()


def client(port: int, plan: list[tuple[str, str, str]], seconds: float, seed: int, out: multiprocessing.Queue) -> None:
    """Request the plan's pages in a shuffled order, round after round, for ``seconds`` (at most 100,000)."""
    rng = random.Random(seed)
    results: list[tuple[str, float, bool]] = []
    deadline = time.monotonic() + seconds
    order = list(plan)
    while time.monotonic() < deadline and len(results) < 100_000:
        rng.shuffle(order)
        for name, path, cookie in order:
            if time.monotonic() >= deadline:
                break
            t0 = time.perf_counter()
            try:
                status, _size = request(port, path, cookie)
                ok = status == 200
            except OSError:
                ok = False
            results.append((name, time.perf_counter() - t0, ok))
    out.put(results)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def drive(*, port: int, pages: dict, seconds: float, clients: int) -> tuple[dict, float]:
    # Each page weighs the same in a round (each listed once per login), the floor as much as the others.
    plan = [(name, path, cookie) for name, rows in pages.items() for path, cookie in rows[:8]]
    # Warm every worker's templates and caches first, outside the figures.
    for _name, path, cookie in plan * 2:
        request(port, path, cookie)
    queue: multiprocessing.Queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=client, args=(port, plan, seconds, n, queue)) for n in range(clients)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [row for _ in procs for row in queue.get(timeout=seconds + 120)]
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join(10)
    by_page: dict[str, list[tuple[float, bool]]] = {}
    for name, took, ok in results:
        by_page.setdefault(name, []).append((took, ok))
    return by_page, len(results) / elapsed


def report(by_page: dict, rps: float) -> float:
    floor = percentile([t for t, _ in by_page["floor"]], 0.95)
    total = sum(len(rows) for rows in by_page.values())
    failures = sum(1 for rows in by_page.values() for _t, ok in rows if not ok)
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    floor50 = median([t for t, _ in by_page["floor"]])
    print(f"{'page':<18} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p50/floor':>10} {'p95/floor':>10} {'target':>7}")
    worst = 0.0
    for name in ("floor", *TARGETS):
        rows = by_page.get(name)
        if not rows:
            print(f"{name:<18} (no requests)")
            continue
        times = [t for t, _ in rows]
        p95 = percentile(times, 0.95)
        ratio = p95 / floor
        target = TARGETS.get(name)
        if target:
            worst = max(worst, ratio)
        mark = "" if target is None else (f"{target:>6} " + ("ok" if ratio <= target else "OVER"))
        p50 = median(times)
        figures = f"{len(rows):>8} {p50 * 1000:>8.1f} {p95 * 1000:>8.1f} {p50 / floor50:>10.2f} {ratio:>10.2f}"
        print(f"{name:<18} {figures} {mark}")
    print(f"requests per second {rps:.1f}; failures {failures}/{total} (ratio {failures / max(total, 1):.4f})")
    if failures:
        worst = max(worst, float("inf"))
    return worst


def main() -> None:
    args = parse_args()
    cohorts = args.cohorts or (20 if args.quick else 200)
    seconds = args.seconds or (25 if args.quick else 60)
    os.environ.update(SETTINGS_ENV)
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench/load.py needs PostgreSQL: set DATABASE_URL (and REDIS_URL for the cache).")
    pages = build(cohorts=cohorts, keep=args.keep)
    connection.close()
    port = free_port()
    server = start_gunicorn(port=port, workers=args.workers)
    try:
        by_page, rps = drive(port=port, pages=pages, seconds=seconds, clients=args.clients)
    finally:
        stop(server)
    print(f"gunicorn {args.workers} workers, {args.clients} client processes, {seconds:.0f} s")
    worst = report(by_page, rps)
    print(f"worst_p95_ratio={worst:.2f}")


if __name__ == "__main__":
    main()
