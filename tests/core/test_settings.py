"""Start-up: wrong settings give one clear line; production settings pass the deploy check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env_checks import SettingError, broker_settings, database_settings

pytestmark = pytest.mark.foundation
BASE_DIR = Path(__file__).resolve().parent.parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_embedded_defaults_are_sqlite_and_filesystem_broker(tmp_path: Path) -> None:
    db = database_settings("", default_sqlite_path=tmp_path / "x.sqlite3")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    url, options = broker_settings("", tmp_path / "broker")
    assert url == "filesystem://"
    assert Path(options["data_folder_in"]).is_dir()


def test_database_url_switches_to_postgresql(tmp_path: Path) -> None:
    db = database_settings("postgres://steady:pw@db.internal:5433/steady", default_sqlite_path=tmp_path / "x")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == ("db.internal", 5433, "steady", "steady")


def test_redis_url_switches_broker_with_explicit_visibility_timeout(tmp_path: Path) -> None:
    url, options = broker_settings("redis://127.0.0.1:6379/3", tmp_path)
    assert url == "redis://127.0.0.1:6379/3"
    assert options["visibility_timeout"] >= 600


@pytest.mark.parametrize("url", ["mysql://root@localhost/steady", "mongodb://x/y", "nonsense"])
def test_unknown_database_scheme_is_refused_with_the_setting_named(url: str, tmp_path: Path) -> None:
    with pytest.raises(SettingError) as caught:
        database_settings(url, default_sqlite_path=tmp_path / "x")
    assert "DATABASE_URL" in str(caught.value.code)


def test_unknown_database_scheme_at_start_up_prints_one_line() -> None:
    result = manage("check", DATABASE_URL="mysql://root@localhost/steady")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr


def test_unreachable_redis_at_start_up_names_the_setting() -> None:
    result = manage("check", REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_redis_stops_a_worker_with_one_line() -> None:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--without-mingle", "--without-gossip"],
        cwd=BASE_DIR,
        env={**clean, "REDIS_URL": "redis://127.0.0.1:1/0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "steady: REDIS_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_ALLOWED_HOSTS="steady.nhs.example"
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = manage("check", DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_settings_pass_the_deploy_check() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="steady-" + "k3y-" * 15,
        DJANGO_ALLOWED_HOSTS="steady.nhs.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_embedded_page_cache_is_shared_by_the_web_server_and_the_worker(tmp_path: Path) -> None:
    """A bump made in one process (a worker's task) is seen by another (the web server): with no Redis the cache is
    files under STEADY_VAR_DIR, not each process's memory."""
    show = "from core import page_cache as p; print(p._versions([p.person(7)])[p.person(7)])"
    bump = "from core import page_cache as p; p.bump(p.person(7))"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.local", "STEADY_VAR_DIR": str(tmp_path)}
    before = manage("shell", "--no-imports", "-c", show, **env)
    assert before.returncode == 0, before.stderr
    assert manage("shell", "--no-imports", "-c", show, **env).stdout == before.stdout  # kept between processes
    assert manage("shell", "--no-imports", "-c", bump, **env).returncode == 0
    after = manage("shell", "--no-imports", "-c", show, **env)
    assert after.stdout.strip() and after.stdout != before.stdout  # another process's bump is seen
