"""Real Celery worker subprocesses for tests (not eager mode).

The worker runs Steady's own code against the test database (a file for
SQLite, the test database for PostgreSQL) and the tests' broker, so only
transactional tests (``django_db(transaction=True)``) may use it: the rows a
test writes must be committed for the worker to see them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent.parent
READY_TIMEOUT = 60.0


def test_database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def worker_environment(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": test_database_url(),
        "STEADY_VAR_DIR": str(settings.VAR_DIR),
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def wait_for(condition, *, timeout: float, interval: float = 0.1, message: str = "condition") -> None:
    """Poll ``condition`` until it is true; fail the test with ``message`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {message}")


class CeleryProcess:
    """One `celery worker` (or `celery beat`) subprocess with its own log file."""

    def __init__(
        self,
        name: str,
        log_dir: Path,
        *,
        command: str = "worker",
        concurrency: int = 1,
        app: str = "config",
        **env: str,
    ) -> None:
        self.name = name
        self.app = app
        self.command = command
        self.concurrency = concurrency
        self.env = worker_environment(**env)
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def args(self) -> list[str]:
        celery = [sys.executable, "-m", "celery", "-A", self.app]
        if self.command == "beat":
            return [*celery, "beat", "-l", "INFO", "--schedule", str(self.log_path.with_suffix(".schedule"))]
        return [
            *celery,
            "worker",
            "-l",
            "INFO",
            "-n",
            f"{self.name}@%h",
            "-c",
            str(self.concurrency),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]

    def start(self) -> CeleryProcess:
        self.started_at = len(self.log())
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.args(), cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        marker = "ready." if self.command == "worker" else "beat: Starting"
        wait_for(
            lambda: marker in self.log()[self.started_at :] or self.process.poll() is not None,
            timeout=READY_TIMEOUT,
            message=f"{self.name} to start",
        )
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited early:\n{self.log()[-3000:]}")
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the whole process group (the main process and its pool children)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        self.terminate()
        self.wait_stopped()

    def terminate(self) -> None:
        """Ask for a warm shutdown without waiting for it."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def wait_stopped(self) -> None:
        if self.process and self.process.poll() is None:
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_processes(tmp_path: Path) -> Iterator[callable]:
    """Start real Celery processes: ``start("w1", concurrency=2, EMAIL_FILE_PATH=...)``; all stop at the end."""
    started: list[CeleryProcess] = []

    def start(
        name: str = "worker", *, command: str = "worker", concurrency: int = 1, app: str = "config", **env: str
    ) -> CeleryProcess:
        process = CeleryProcess(name, tmp_path, command=command, concurrency=concurrency, app=app, **env).start()
        started.append(process)
        return process

    yield start
    # All at once: each warm shutdown takes a second or two.
    for process in started:
        process.terminate()
    for process in started:
        process.wait_stopped()


@pytest.fixture
def purge_broker() -> None:
    """Drop messages left in the tests' broker by earlier tests, so a worker starts clean."""
    from config.celery_app import app

    app.control.purge()
