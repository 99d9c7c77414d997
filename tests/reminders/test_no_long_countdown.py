"""No task anywhere is scheduled further ahead than five minutes (Redis redelivers long ones)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.reminders
BASE_DIR = Path(__file__).resolve().parent.parent.parent
LIMIT_SECONDS = 300
SKIP = {".venv", "var", "node_modules", ".git", "tests", "staticfiles"}


def python_files() -> list[Path]:
    return [
        path
        for path in BASE_DIR.rglob("*.py")
        if not SKIP & set(path.relative_to(BASE_DIR).parts) and "migrations" not in path.parts
    ]


def offences(path: Path, base: Path = BASE_DIR) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            where = f"{path.relative_to(base)}:{node.lineno}"
            if keyword.arg == "eta":
                found.append(f"{where} eta= (use a row's due_at and the beat instead)")
            elif keyword.arg == "countdown":
                value = keyword.value
                if not (isinstance(value, ast.Constant) and isinstance(value.value, int | float)):
                    found.append(f"{where} countdown= that is not a constant")
                elif value.value > LIMIT_SECONDS:
                    found.append(f"{where} countdown={value.value}")
    return found


def test_no_eta_or_countdown_beyond_five_minutes() -> None:
    files = python_files()
    assert any(path.name == "tasks.py" for path in files)
    assert [offence for path in files for offence in offences(path)] == []


def test_the_scan_catches_a_long_countdown(tmp_path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("task.apply_async(countdown=3600)\ntask.apply_async(eta=when)\ntask.apply_async(countdown=60)\n")
    assert len(offences(bad, tmp_path)) == 2
    assert offences(BASE_DIR / "reminders" / "tasks.py") == []
