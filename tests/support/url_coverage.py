"""URL coverage, after Zulip's: every named URL of the project is requested at least once by a full run.

A test-only middleware records ``request.resolver_match.view_name`` for each request (the test
client and the live server alike). At the end of a *full* run, any named URL pattern of
``ROOT_URLCONF`` that no test requested, and that ``tests/url_coverage_allowlist.py`` does not
excuse, fails the run. A partial run (``-k``, ``-m``, a file, a node id, ``--lf``) only reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Verdict:
    judged: frozenset[str]  # named URLs the check counts
    missing: frozenset[str]  # never requested and not allowlisted: these fail the run
    allowed: frozenset[str]  # allowlisted and never requested
    stale: frozenset[str]  # allowlist entries naming no URL, or a URL a test now requests: these fail too

    @property
    def ok(self) -> bool:
        return not self.missing and not self.stale


def judge(*, names: set[str], requested: set[str], allowlist: dict[str, str], excluded_namespaces: set[str]) -> Verdict:
    judged = {name for name in names if name.split(":")[0] not in excluded_namespaces or ":" not in name}
    return Verdict(
        judged=frozenset(judged),
        missing=frozenset(judged - requested - set(allowlist)),
        allowed=frozenset(set(allowlist) & judged - requested),
        stale=frozenset(set(allowlist) - (judged - requested)),
    )


def coverage() -> Verdict:
    from tests.url_coverage_allowlist import ALLOWLIST, EXCLUDED_NAMESPACES

    return judge(
        names=named_url_patterns(), requested=requested, allowlist=ALLOWLIST, excluded_namespaces=EXCLUDED_NAMESPACES
    )


def partial_run_reasons(
    *,
    options: dict[str, object],
    args: list[str],
    collected: set[Path],
    all_test_files: set[Path],
    deselected: bool,
) -> list[str]:
    """Why this run is not the whole suite (an empty list means it is)."""
    reasons = [flag for flag, option in PARTIAL_OPTIONS.items() if options.get(option)]
    if any("::" in arg for arg in args):
        reasons.append("a node id")
    if deselected:
        reasons.append("deselection")
    if missing_files := all_test_files - collected:
        reasons.append(f"{len(missing_files)} test file(s) not collected")
    return reasons


# Options that run part of the suite (or none of it). xdist: each worker sees only part of the run.
PARTIAL_OPTIONS = {"-k": "keyword", "-m": "markexpr", "--collect-only": "collectonly", "-n": "numprocesses"}


# --- pytest plugin ---------------------------------------------------------------------------
class _Run:
    deselected = False
    partial_reasons: list[str] = []
    verdict: Verdict | None = None


def test_files() -> set[Path]:
    return {path.resolve() for path in TESTS_DIR.rglob("test_*.py")}


@pytest.fixture(scope="session", autouse=True)
def _record_requested_urls(django_test_environment: None) -> Iterable[None]:
    from django.conf import settings

    with override_settings(MIDDLEWARE=[MIDDLEWARE_PATH, *settings.MIDDLEWARE]):
        yield


def pytest_configure(config: pytest.Config) -> None:
    _Run.deselected, _Run.partial_reasons, _Run.verdict = False, [], None
    requested.clear()


def pytest_deselected(items: list[pytest.Item]) -> None:
    _Run.deselected = _Run.deselected or bool(items)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    _Run.partial_reasons = partial_run_reasons(
        options={option: getattr(config.option, option, None) for option in PARTIAL_OPTIONS.values()},
        args=[str(arg) for arg in config.args],
        collected={Path(str(item.path)).resolve() for item in session.items},
        all_test_files=test_files(),
        deselected=_Run.deselected,
    )
    if hasattr(config, "workerinput"):
        _Run.partial_reasons.append("an xdist worker")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _Run.partial_reasons or session.shouldstop or session.shouldfail or not session.items:
        return
    _Run.verdict = coverage()
    if not _Run.verdict.ok and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    verdict = _Run.verdict
    if verdict is None:
        reasons = ", ".join(_Run.partial_reasons) or "the run stopped early"
        terminalreporter.write_line(f"URL coverage: not judged on a partial run ({reasons}).")
        return
    covered = len(verdict.judged) - len(verdict.missing) - len(verdict.allowed)
    line = f"URL coverage: {covered} of {len(verdict.judged)} named URLs requested"
    line += f"; allowlisted: {', '.join(sorted(verdict.allowed)) or 'none'}"
    if verdict.ok:
        terminalreporter.write_line(line + ".")
        return
    terminalreporter.section("URL coverage", red=True)
    terminalreporter.write_line(line, red=True)
    if verdict.missing:
        terminalreporter.write_line(
            "FAILED: no test requests these named URLs (add an HTTP test, or an allowlist entry with its reason "
            "in tests/url_coverage_allowlist.py): " + ", ".join(sorted(verdict.missing)),
            red=True,
        )
    if verdict.stale:
        terminalreporter.write_line(
            "FAILED: allowlist entries that name no URL, or a URL a test now requests (delete them): "
            + ", ".join(sorted(verdict.stale)),
            red=True,
        )
