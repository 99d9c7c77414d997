"""The overview and list pages run the same number of queries whatever the programme's size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programmes.models import Material
from tests.factories import CohortFactory, programme_with_plans

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


def _with_materials(weeks: int):
    programme = programme_with_plans(weeks=weeks)
    Material.objects.bulk_create(
        Material(session_plan=plan, title=f"Handout {n}", content="Text")
        for plan in programme.session_plans.all()
        for n in range(2)
    )
    return programme


def test_overview_query_count_is_the_same_for_12_and_24_weeks(client, facilitator, django_assert_num_queries) -> None:
    client.force_login(facilitator)
    small, large = _with_materials(12), _with_materials(24)
    client.get("/programmes/")  # the bell's count is cached from here on, for both runs alike
    with CaptureQueriesContext(connection) as small_run:
        response = client.get(f"/programmes/{small.pk}/")
    assert response.content.decode().count("badge-intensity-") == 14
    with django_assert_num_queries(len(small_run.captured_queries)):
        response = client.get(f"/programmes/{large.pk}/")
    page = response.content.decode()
    assert page.count("badge-intensity-") == 26
    assert "Week 24" in page


def test_list_query_count_is_the_same_for_2_and_8_programmes(client, service_lead, django_assert_num_queries) -> None:
    client.force_login(service_lead)
    for _ in range(2):
        CohortFactory()
    client.get("/programmes/")  # the bell's count is cached from here on, for both runs alike
    with CaptureQueriesContext(connection) as small_run:
        client.get("/programmes/")
    for _ in range(6):
        CohortFactory()
    with django_assert_num_queries(len(small_run.captured_queries)):
        response = client.get("/programmes/")
    assert response.content.decode().count("/programmes/") >= 8
