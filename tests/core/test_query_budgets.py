"""Query budgets: every list, home or report page makes the same number of queries with 1 and 10 units of data.

The pages and their budgets are in tests/query_budgets.py; the worlds are built by tests/support/query_world.py.
Each world is built once per size, every budgeted page is requested in it over HTTP as the role that uses it,
and the world is rolled back. A page must make exactly its budget at both sizes: a count that grows with the
data is an N+1; a count that moves at both sizes is a regression (or an improvement: lower the budget).

Counts are cold. The bell's counts are cached per person, and page caches for the homes are coming: a warm
count would measure the cache, not the page, and would hide an N+1 behind it. So every measured request runs
against empty in-process caches of the test's own (one per cache alias), cleared just before it. Cache reads
are not queries, so the backend does not change the count; Redis, which is also the broker, is left alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tests.query_budgets import BUDGETS, CONDITIONAL, EXEMPT
from tests.support.query_world import NOW, World, world
from tests.support.url_coverage import named_url_patterns
from tests.url_coverage_allowlist import EXCLUDED_NAMESPACES

SIZES = (1, 10)


def cold_caches() -> dict[str, dict[str, str]]:
    """An in-process cache for each cache alias the settings name (a page cache may come with its own)."""
    return {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"query-budgets-{alias}"}
        for alias in settings.CACHES
    }


# --- Every page placed ------------------------------------------------------------------------------------------


def project_url_names() -> set[str]:
    """Named URLs as the URL-coverage check enumerates them, without its excluded namespaces (the admin)."""
    return {name for name in named_url_patterns() if ":" not in name or name.split(":")[0] not in EXCLUDED_NAMESPACES}


def misplaced(names: set[str], budgets: set[str], exempt: set[str]) -> dict[str, set[str]]:
    """URL names placed nowhere, placed twice, or placed but gone (a setting-dependent URL may be absent)."""
    return {
        "unplaced": names - budgets - exempt,
        "twice": budgets & exempt,
        "gone": (budgets | exempt) - names - CONDITIONAL,
    }


def budgeted_names() -> set[str]:
    """The URL names with a budget ("name?what" is a variant of the page ``name``)."""
    return {key.split("?")[0] for key in BUDGETS}


def test_every_named_url_is_budgeted_or_exempt_with_a_reason() -> None:
    problems = misplaced(project_url_names(), budgeted_names(), set(EXEMPT))
    if problems["unplaced"]:
        pytest.fail(
            "Place these URL names in tests/query_budgets.py: a Budget if the page grows with data, "
            f"else EXEMPT with the reason: {sorted(problems['unplaced'])}"
        )
    assert not problems["twice"], f"budgeted and exempt at once: {sorted(problems['twice'])}"
    assert not problems["gone"], f"tests/query_budgets.py names URLs that no longer exist: {sorted(problems['gone'])}"
    assert all(reason.strip() for reason in EXEMPT.values())
    variants_alone = {key for key in BUDGETS if "?" in key and key.split("?")[0] not in BUDGETS}
    assert not variants_alone, f"a variant needs the page itself budgeted too: {sorted(variants_alone)}"


def test_a_new_page_left_out_of_the_table_is_reported() -> None:
    names = project_url_names()
    assert "facilitation:participant_home" in names and not any(name.startswith("admin:") for name in names)
    problems = misplaced(names | {"sessions:cohort_wall"}, budgeted_names(), set(EXEMPT) - {"health"})
    assert problems["unplaced"] == {"sessions:cohort_wall", "health"}
    assert misplaced(names - {"home"}, budgeted_names(), set(EXEMPT))["gone"] == {"home"}


# --- The budgets -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    status: int
    queries: list[str]
    length: int  # of the body: the page must show more at size 10


def measure(world_: World) -> dict[str, Measured]:
    results = {}
    for name, budget in BUDGETS.items():
        client = Client()
        if budget.role:
            client.force_login(getattr(world_, budget.role))
        url = budget.url(world_)
        for cache in caches.all():  # cold: see the module's docstring
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        results[name] = Measured(response.status_code, [query["sql"] for query in captured.captured_queries], len(body))
    return results


@pytest.fixture(scope="module")
def measured(django_db_setup: None, django_db_blocker) -> Iterator[dict[int, dict[str, Measured]]]:
    """Each page's queries at each size: one world per size, built once and rolled back."""
    results = {}
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), override_settings(CACHES=cold_caches()):
        for size in SIZES:
            with transaction.atomic():
                results[size] = measure(world(size))
                transaction.set_rollback(True)
    yield results


def shape(sql: str) -> str:
    """A query without its column list and values, to show which one repeats."""
    return re.sub(r"\b\d+\b|'[^']*'", "?", re.sub(r"^SELECT .*? FROM ", "SELECT ... FROM ", sql))[:240]


# The mark makes pytest-django set up the test database, which the module's fixture uses before any test does.
@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BUDGETS))
def test_the_page_makes_its_budget_of_queries_at_1_and_10(name: str, measured) -> None:
    budget, small, large = BUDGETS[name], measured[1][name], measured[10][name]
    if not small.status == large.status == 200:
        pytest.fail(
            f"{name} answered {small.status} and {large.status}, not 200: fix the world or the role", pytrace=False
        )
    if len(small.queries) != len(large.queries):
        grew = Counter(map(shape, large.queries)) - Counter(map(shape, small.queries))
        pytest.fail(
            f"{name}: {len(small.queries)} queries with 1 unit of data, {len(large.queries)} with 10 (an N+1). "
            "More often at 10:\n" + "\n".join(f"{count} more x {sql}" for sql, count in grew.most_common(5)),
            pytrace=False,
        )
    if len(small.queries) != budget.queries:
        pytest.fail(
            f"{name} makes {len(small.queries)} queries at both sizes; its budget in tests/query_budgets.py is "
            f"{budget.queries}. Change the budget only on purpose, and say why in the commit.",
            pytrace=False,
        )
    if not budget.totals_only and large.length <= small.length:
        pytest.fail(
            f"{name} shows no more at size 10 than at 1: the world does not fill it ({budget.grows_with})",
            pytrace=False,
        )
