"""Fixtures for the whole suite: people of each role, services, and a real Celery worker."""

from __future__ import annotations

import os

import pytest

from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory, ServiceLeadFactory
from tests.support.services import postgres_reason, redis_reason

REQUIRE_SERVICES = os.environ.get("STEADY_REQUIRE_SERVICES") == "1"

pytest_plugins = [
    "tests.support.worker",
    "tests.support.browser",
    "tests.support.a11y",
    "tests.support.journeys",
    "tests.support.url_coverage",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """In the services suite a skip of a `services` test is a failure: the service must be there."""
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_SERVICES and report.skipped and item.get_closest_marker("services"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"STEADY_REQUIRE_SERVICES=1 but this services test was skipped: {reason}"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty in-process cache (the bell's counts are cached per person id, and SQLite
    gives ids again after a rollback). Redis is left alone: it is the broker too, and PostgreSQL never gives
    an id twice; only the organisation report, kept under a key with no id, is dropped there."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from facilitation.organisation_report_cache import organisation_report_forget

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()
    else:
        organisation_report_forget()  # kept for every service lead, not keyed by an id


@pytest.fixture
def require_postgres() -> None:
    if reason := postgres_reason():
        pytest.skip(reason)


@pytest.fixture
def require_redis() -> None:
    if reason := redis_reason():
        pytest.skip(reason)


@pytest.fixture
def participant(db):
    return ParticipantFactory()


@pytest.fixture
def facilitator(db):
    return FacilitatorFactory()


@pytest.fixture
def manager(db):
    return ManagerFactory()


@pytest.fixture
def service_lead(db):
    return ServiceLeadFactory()


@pytest.fixture
def eager_celery():
    """Run tasks in-process for tests about what a task does, not how it travels."""
    from config.celery_app import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False
