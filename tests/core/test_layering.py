"""Layering: a lower app never imports a higher one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.foundation
BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Bottom first. An app may import the ones before it, never the ones after it.
LAYERS = ["core", "accounts", "reminders", "programmes", "sessions", "measures", "facilitation"]


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", LAYERS)
def test_app_imports_no_higher_layer(app: str) -> None:
    higher = set(LAYERS[LAYERS.index(app) + 1 :])
    offenders = {
        str(path.relative_to(BASE_DIR)): sorted(imported_top_levels(path) & higher)
        for path in (BASE_DIR / app).rglob("*.py")
        if imported_top_levels(path) & higher
    }
    assert offenders == {}
