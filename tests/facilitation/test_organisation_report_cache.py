"""The organisation report's tables are kept for STEADY_ORGANISATION_REPORT_MAX_AGE seconds and then worked out
again (a freshness rule, not invalidation): a change shows once they are older than that; kept once for every
service lead, with no CSRF token and nothing about who reads it; a constant, smaller number of queries when kept."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from facilitation.organisation_report_cache import organisation_report_forget
from tests.facilitation.factories_protected_time import small_cohort
from tests.factories import ServiceLeadFactory

pytestmark = [pytest.mark.django_db]

REPORT = "facilitation:organisation_report"
# Kept tables: session, user and the bell's count (cached once read) only; nothing of the report itself.
WARM_QUERIES = 2


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_new_cohort_shows_once_the_kept_figures_are_older_than_the_max_age(client, settings) -> None:
    settings.STEADY_ORGANISATION_REPORT_MAX_AGE = 600
    small_cohort(name="Early group")
    client.force_login(ServiceLeadFactory())
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert "Early group" in client.get(reverse(REPORT)).content.decode()
        small_cohort(name="Late group")
        page = client.get(reverse(REPORT)).content.decode()
    assert "Late group" not in page  # still within the ten minutes
    assert "Figures as they stood at" in page and "more than 10 minutes old" in page
    with time_machine.travel(start + datetime.timedelta(seconds=599), tick=False):
        assert "Late group" not in client.get(reverse(REPORT)).content.decode()
    with time_machine.travel(start + datetime.timedelta(seconds=601), tick=False):
        assert "Late group" in client.get(reverse(REPORT)).content.decode()


def test_with_max_age_zero_every_request_works_the_figures_out(client, settings) -> None:
    settings.STEADY_ORGANISATION_REPORT_MAX_AGE = 0
    small_cohort(name="Early group")
    client.force_login(ServiceLeadFactory())
    client.get(reverse(REPORT))
    small_cohort(name="Late group")
    assert "Late group" in client.get(reverse(REPORT)).content.decode()


def test_each_comparison_is_kept_apart_and_any_other_value_is_the_default(client) -> None:
    small_cohort(name="Early group")
    client.force_login(ServiceLeadFactory())
    url = reverse(REPORT)
    client.get(url)
    client.get(f"{url}?to=mid")
    assert count(client, f"{url}?to=nonsense") == WARM_QUERIES  # the default's tables, not a key of its own
    small_cohort(name="Late group")
    organisation_report_forget()
    assert count(client, f"{url}?to=end") > WARM_QUERIES  # end was never worked out: not the default's
    assert "Late group" in client.get(f"{url}?to=mid").content.decode()


def test_the_kept_tables_are_shared_by_leads_without_their_csrf_tokens(client) -> None:
    small_cohort(name="Early group")
    first, second = ServiceLeadFactory(), ServiceLeadFactory()
    client.force_login(first)
    page_one = client.get(reverse(REPORT)).content.decode()
    client.force_login(second)
    with CaptureQueriesContext(connection) as captured:
        page_two = client.get(reverse(REPORT)).content.decode()
    assert not [q for q in captured if "group_sessions_cohort" in q["sql"]]  # kept: not worked out again
    tables_one = page_one.split("<main", 1)[1].split("</main>", 1)[0]
    tables_two = page_two.split("<main", 1)[1].split("</main>", 1)[0]
    assert tables_one == tables_two and "Early group" in tables_two and "<table" in tables_two  # not escaped
    assert "csrfmiddlewaretoken" not in tables_two  # the only form (sign out) is in the page around them
    assert 'name="csrfmiddlewaretoken"' in page_two.split("<main", 1)[0]


@pytest.mark.parametrize("cohorts", [2, 20])
def test_kept_report_runs_constant_queries_at_two_sizes(client, cohorts) -> None:
    for _ in range(cohorts):
        small_cohort()
    client.force_login(ServiceLeadFactory())
    cold = count(client, reverse(REPORT))
    assert count(client, reverse(REPORT)) == WARM_QUERIES
    assert cold > WARM_QUERIES
