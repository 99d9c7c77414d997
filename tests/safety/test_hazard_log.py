"""The hazard log in docs/clinical-safety.md names, for each control, a test that exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.safety
BASE_DIR = Path(__file__).resolve().parent.parent.parent
LOG = BASE_DIR / "docs" / "clinical-safety.md"
NODE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
REQUIRED_HAZARDS = [
    "A request for help nobody answers",
    "A risk answer nobody sees",
    "A session shown at the wrong time",
    "A manager seeing clinical data",
    "A lock screen revealing what the group is",
    "A person joining a closed group mid-way",
    "A reminder silently not sent",
]


def defined_tests(path: Path) -> set[str]:
    """The test functions a file defines (module level and in classes), read from its syntax tree."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def node_exists(path: str, name: str) -> bool:
    file = BASE_DIR / path
    return file.is_file() and name in defined_tests(file)


def control_lines(text: str) -> list[tuple[str, bool, list[tuple[str, str]]]]:
    """(line, is pending, node ids) for every line that names a test."""
    return [(line.strip(), "PENDING" in line, NODE.findall(line)) for line in text.splitlines() if NODE.search(line)]


def missing_nodes(text: str) -> list[str]:
    return [
        f"{path}::{name}"
        for _line, pending, nodes in control_lines(text)
        if not pending
        for path, name in nodes
        if not node_exists(path, name)
    ]


def test_every_hazard_the_issue_lists_is_in_the_log() -> None:
    text = LOG.read_text()
    assert [hazard for hazard in REQUIRED_HAZARDS if hazard not in text] == []


def test_every_hazard_has_cause_effect_and_controls_each_naming_a_test() -> None:
    sections = re.split(r"^### ", LOG.read_text(), flags=re.MULTILINE)[1:]
    assert len(sections) >= len(REQUIRED_HAZARDS)
    for section in sections:
        title = section.splitlines()[0]
        for part in ("**Cause:**", "**Effect on a person:**", "**Controls:**"):
            assert part in section, f"{title}: no {part}"
        controls = section.split("**Controls:**", 1)[1].split("**Residual risk:**", 1)[0]
        lines = [line for line in controls.splitlines() if line.strip().startswith("- ") and line.strip() != "-"]
        assert lines, f"{title}: no controls"
        for line in lines:
            assert NODE.search(line), f"{title}: a control without a test: {line.strip()}"


def test_every_named_test_exists() -> None:
    assert missing_nodes(LOG.read_text()) == []


def test_the_checker_catches_a_test_that_does_not_exist() -> None:
    text = (
        "- Real. Test: `tests/safety/test_hazard_log.py::test_every_named_test_exists`\n"
        "- Made up. Test: `tests/safety/test_hazard_log.py::test_nobody_wrote_this`\n"
        "- PENDING (elsewhere). Test: `tests/nowhere/test_later.py::test_soon`\n"
    )
    assert missing_nodes(text) == ["tests/safety/test_hazard_log.py::test_nobody_wrote_this"]


def test_pending_controls_are_reported_until_their_tests_exist() -> None:
    """Lines marked PENDING name tests other work is building; listed here until they exist, then unmark them."""
    pending = [
        (f"{path}::{name}", node_exists(path, name))
        for _line, is_pending, nodes in control_lines(LOG.read_text())
        if is_pending
        for path, name in nodes
    ]
    landed = [node for node, exists in pending if exists]
    assert landed == [], f"these tests exist now: remove PENDING from their lines: {landed}"
    # Every strand has landed: no control waits on a test still to be written.
    assert pending == [], "PENDING controls whose tests do not exist yet: " + ", ".join(node for node, _ in pending)
