"""URL coverage, after Zulip's: every named URL of the project is requested at least once by a full run.

A test-only middleware records ``request.resolver_match.view_name`` for each request (the test
client and the live server alike). At the end of a *full* run, any named URL pattern of
``ROOT_URLCONF`` that no test requested, and that ``tests/url_coverage_allowlist.py`` does not
excuse, fails the run. A partial run (``-k``, ``-m``, a file, a node id, ``--lf``) only reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

TESTS_DIR = Path(__file__).resolve().parent.parent
MIDDLEWARE_PATH = "tests.support.url_coverage.RecordViewNameMiddleware"

requested: set[str] = set()


class RecordViewNameMiddleware:
    """Outermost, so it sees the resolved view even when an inner middleware answers first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name:
            requested.add(match.view_name)
        return response


def named_url_patterns(patterns: Iterable | None = None, namespace: str = "") -> set[str]:
    """Every ``namespace:name`` reachable from ROOT_URLCONF, walking includes recursively."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    names: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= named_url_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def excluded(name: str) -> bool:
    """Django's admin URLs are left out: see ``EXCLUDED_NAMESPACES`` in the allowlist module."""
    from tests.url_coverage_allowlist import EXCLUDED_NAMESPACES

    return name.split(":")[0] in EXCLUDED_NAMESPACES and ":" in name


def coverage() -> tuple[set[str], set[str], dict[str, str]]:
    """Return (judged names, names never requested and not allowlisted, allowlist entries in use)."""
    from tests.url_coverage_allowlist import ALLOWLIST

    judged = {name for name in named_url_patterns() if not excluded(name)}
    allowed = {name: reason for name, reason in ALLOWLIST.items() if name in judged}
    missing = judged - requested - set(allowed)
    return judged, missing, allowed


# --- pytest plugin ---------------------------------------------------------------------------
class _Run:
    partial_reasons: list[str] = []
    judged_result: tuple[set[str], set[str], dict[str, str]] | None = None


def test_files() -> set[Path]:
    return {path.resolve() for path in TESTS_DIR.rglob("test_*.py")}


@pytest.fixture(scope="session", autouse=True)
def _record_requested_urls(django_test_environment: None) -> Iterable[None]:
    from django.conf import settings

    with override_settings(MIDDLEWARE=[MIDDLEWARE_PATH, *settings.MIDDLEWARE]):
        yield


def pytest_configure(config: pytest.Config) -> None:
    _Run.partial_reasons = []
    _Run.judged_result = None
    requested.clear()
    if config.option.keyword:
        _Run.partial_reasons.append("-k")
    if config.option.markexpr:
        _Run.partial_reasons.append("-m")
    if any("::" in str(arg) for arg in config.args):
        _Run.partial_reasons.append("a node id")
    if hasattr(config, "workerinput") or getattr(config.option, "numprocesses", None):
        _Run.partial_reasons.append("xdist (each worker sees part of the run)")


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items and "deselection" not in _Run.partial_reasons:
        _Run.partial_reasons.append("deselection")


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    collected = {Path(str(item.path)).resolve() for item in session.items}
    if not_collected := test_files() - collected:
        _Run.partial_reasons.append(f"{len(not_collected)} test file(s) not collected")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _Run.partial_reasons or session.shouldstop or session.shouldfail:
        return
    _Run.judged_result = coverage()
    if _Run.judged_result[1] and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _Run.judged_result is None:
        reasons = ", ".join(_Run.partial_reasons) or "the run stopped early"
        terminalreporter.write_line(f"URL coverage: not judged on a partial run ({reasons}).")
        return
    judged, missing, allowed = _Run.judged_result
    covered = len(judged) - len(missing) - len(allowed)
    line = f"URL coverage: {covered} of {len(judged)} named URLs requested"
    line += f"; allowlisted: {', '.join(sorted(allowed)) or 'none'}"
    if missing:
        terminalreporter.section("URL coverage", red=True)
        terminalreporter.write_line(line, red=True)
        terminalreporter.write_line(
            "FAILED: no test requests these named URLs (add an HTTP test, or an allowlist entry with its reason "
            "in tests/url_coverage_allowlist.py): " + ", ".join(sorted(missing)),
            red=True,
        )
    else:
        terminalreporter.write_line(line + ".")
