"""The URL-coverage check (tests/support/url_coverage.py) counts the right names and judges only full runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.urls import include, path, reverse

from tests.support import url_coverage
from tests.support.url_coverage import judge, named_url_patterns, partial_run_reasons
from tests.url_coverage_allowlist import ALLOWLIST, EXCLUDED_NAMESPACES

pytestmark = pytest.mark.foundation


def view(request):
    return HttpResponse("")


def test_named_patterns_are_found_through_nested_namespaces() -> None:
    inner = ([path("deep/", view, name="deep")], "inner")
    outer = ([path("", view, name="index"), path("in/", include(inner)), path("plain/", view)], "outer")
    unnamespaced = [path("", view, name="x")]
    patterns = [path("", view, name="home"), path("o/", include(outer)), path("x/", include(unnamespaced))]
    assert named_url_patterns(patterns) == {"home", "outer:index", "outer:inner:deep", "x"}


def test_the_project_patterns_include_each_app_namespace_and_admin() -> None:
    names = named_url_patterns()
    namespaces = {name.split(":")[0] for name in names if ":" in name}
    assert {"accounts", "programmes", "reminders", "admin"} <= namespaces
    assert {"home", "login", "health"} <= names


def test_a_name_never_requested_fails_and_an_allowlisted_one_does_not() -> None:
    verdict = judge(
        names={"home", "a:seen", "a:unseen", "a:excused", "admin:index"},
        requested={"home", "a:seen"},
        allowlist={"a:excused": "reason"},
        excluded_namespaces={"admin"},
    )
    assert verdict.judged == {"home", "a:seen", "a:unseen", "a:excused"}
    assert (verdict.missing, verdict.allowed, verdict.stale, verdict.ok) == ({"a:unseen"}, {"a:excused"}, set(), False)


def test_an_allowlist_entry_for_a_gone_or_requested_url_is_stale() -> None:
    verdict = judge(
        names={"a:seen"}, requested={"a:seen"}, allowlist={"a:seen": "r", "a:gone": "r"}, excluded_namespaces=set()
    )
    assert (verdict.missing, verdict.stale, verdict.ok) == (set(), {"a:seen", "a:gone"}, False)


def test_the_allowlist_gives_a_reason_for_each_entry() -> None:
    assert all(isinstance(reason, str) and len(reason) > 20 for reason in ALLOWLIST.values())
    assert all(namespace in {"admin"} for namespace in EXCLUDED_NAMESPACES), "say why in the allowlist module"


FILES = {Path("/t/test_a.py"), Path("/t/sub/test_b.py")}


@pytest.mark.parametrize(
    ("options", "args", "collected", "deselected", "expected"),
    [
        ({}, [], FILES, False, []),
        ({}, ["tests"], FILES, False, []),
        ({"keyword": "invite"}, [], FILES, True, ["-k", "deselection"]),
        ({"markexpr": "not browser"}, [], FILES, True, ["-m", "deselection"]),
        ({}, ["tests/test_a.py"], {Path("/t/test_a.py")}, False, ["1 test file(s) not collected"]),
        ({}, ["tests/test_a.py::test_one", "tests/sub/test_b.py"], FILES, False, ["a node id"]),
        ({}, [], FILES, True, ["deselection"]),
        ({"collectonly": True}, [], FILES, False, ["--collect-only"]),
        ({"numprocesses": 2}, [], FILES, False, ["-n"]),
    ],
    ids=["full", "full-by-folder", "k", "m", "one-file", "node-id", "deselect-or-lf", "collect-only", "xdist"],
)
def test_only_a_full_run_is_judged(options, args, collected, deselected, expected) -> None:
    reasons = partial_run_reasons(
        options=options, args=args, collected=collected, all_test_files=FILES, deselected=deselected
    )
    assert reasons == expected


@pytest.mark.django_db
def test_the_middleware_records_the_view_name_of_each_request(client) -> None:
    url_coverage.requested.discard("health")
    client.get(reverse("health"))
    client.get("/no/such/page/")
    assert "health" in url_coverage.requested
    assert not any("no/such" in name for name in url_coverage.requested)


def test_a_run_of_one_file_passes_and_says_it_was_not_judged() -> None:
    """A subset run (here one file, filtered by -k) must not fail for the URLs it did not request."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "full", Path(__file__).name],
        cwd=Path(__file__).parent,
        env={**os.environ, "PYTEST_ADDOPTS": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "URL coverage: not judged on a partial run (-k, deselection, " in result.stdout
