"""Turn DATABASE_URL and REDIS_URL into settings, refusing bad values in one line.

A wrong setting at start-up should read as one sentence that names the
setting and the fix, not as a long traceback. ``SettingError`` is a
``SystemExit``, so manage.py, Celery and gunicorn print its message and stop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}
REDIS_SCHEMES = {"redis", "rediss"}
# Redis re-delivers an unacknowledged message after this many seconds. Steady
# never schedules a task further ahead than five minutes (reminders are rows in
# the database, picked up by the beat), so an hour is ample and safe.
REDIS_VISIBILITY_TIMEOUT = 60 * 60


class SettingError(SystemExit):
    """A deploy-time setting is wrong; the message says which and how to fix it."""

    def __init__(self, message: str) -> None:
        super().__init__(f"steady: {message}")


def database_settings(url: str, *, default_sqlite_path: Path) -> dict[str, Any]:
    """Return the DATABASES['default'] entry for DATABASE_URL (empty: embedded SQLite)."""
    if not url:
        return sqlite_settings(default_sqlite_path)
    scheme = urlsplit(url).scheme.lower()
    if scheme == "sqlite":
        # sqlite:////absolute/path or sqlite:///relative/path
        path = url[len("sqlite://") :].removeprefix("/")
        return sqlite_settings(Path(path) if path else default_sqlite_path)
    if scheme not in POSTGRES_SCHEMES:
        raise SettingError(
            f"DATABASE_URL has the scheme '{scheme or '(none)'}', which Steady does not support. "
            "Use postgres://USER:PASSWORD@HOST:PORT/NAME, or unset DATABASE_URL for the embedded SQLite database."
        )
    config = environ.Env.db_url_config(url)
    config["ENGINE"] = "django.db.backends.postgresql"
    config["CONN_MAX_AGE"] = 60
    config["CONN_HEALTH_CHECKS"] = True
    config.setdefault("OPTIONS", {})
    return config


def sqlite_settings(path: Path) -> dict[str, Any]:
    """Return SQLite settings that let a web server, a worker and a beat share one file."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # Writers queue for the lock at BEGIN instead of failing half-way.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        "TEST": {"NAME": str(path.with_name("test_" + path.name))},
    }


def broker_settings(redis_url: str, folder: Path) -> tuple[str, dict[str, Any]]:
    """Return Celery's broker URL and transport options (empty REDIS_URL: filesystem)."""
    if redis_url:
        scheme = urlsplit(redis_url).scheme.lower()
        if scheme not in REDIS_SCHEMES:
            raise SettingError(
                f"REDIS_URL has the scheme '{scheme or '(none)'}'. "
                "Use redis://HOST:6379/0, or unset REDIS_URL for the embedded filesystem broker."
            )
        return redis_url, {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT}
    queue = folder / "queue"
    processed = folder / "processed"
    control = folder / "control"
    for path in (queue, processed, control):
        path.mkdir(parents=True, exist_ok=True)
    return "filesystem://", {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "control_folder": str(control),
        "store_processed": False,
    }


def redis_unreachable_reason(redis_url: str, timeout: float = 2.0) -> str | None:
    """Return why Redis at REDIS_URL cannot be reached, or None when it answers."""
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=timeout, socket_timeout=timeout).ping()
    except redis.RedisError as exc:
        return (
            f"REDIS_URL points at {redacted(redis_url)}, which is not answering ({exc.__class__.__name__}). "
            "Start Redis there, or fix REDIS_URL, or unset it for the embedded filesystem broker."
        )
    return None


def redacted(url: str) -> str:
    """Return the URL without its password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
