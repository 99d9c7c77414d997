"""A Redis server of the test's own, on its own port, that a drill may stop and start.

The shared Redis on 6379 is never touched. Nothing is persisted (``--save ""``), so a
restart loses every queued message, the harshest case for the reminder engine.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.smtp import free_port
from tests.support.worker import wait_for

# Ports are the kernel's choice (never a fixed one, so runs of the suite side by side do not meet);
# STEADY_TEST_REDIS_PORT_FROM=N takes the first free port from N instead.
FIRST_PORT = int(os.environ.get("STEADY_TEST_REDIS_PORT_FROM", "0")) or None


class RedisServer:
    def __init__(self, port: int, log_dir: Path) -> None:
        self.port = port
        self.log_path = log_dir / f"redis-{port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> RedisServer:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self.answers, timeout=10, message=f"redis-server on {self.port} to answer")
        return self

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self, sig: int = signal.SIGKILL) -> None:
        """Stop this server (and only this one, by its process id)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A started redis-server on a free port (see FIRST_PORT); stopped at the end."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server on PATH")
    server = RedisServer(free_port(FIRST_PORT), tmp_path).start()
    yield server
    server.stop()


@contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """Point this process's Celery publisher at ``url`` (e.g. a drill's Redis), then back as it was."""
    from config.celery_app import app

    saved = (app.conf.broker_url, app._pool, app.amqp._producer_pool)
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url, app._pool, app.amqp._producer_pool = saved
