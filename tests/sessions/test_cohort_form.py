"""The cohort form: a list of time zones, and the only programme chosen already."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import FacilitatorFactory, programme_with_plans

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]


def form_page(client) -> str:
    client.force_login(FacilitatorFactory())
    return client.get(reverse("sessions:cohort_create")).content.decode()


def test_time_zone_is_a_list_with_london_and_toronto_first(client):
    programme_with_plans()
    page = form_page(client)
    select = re.search(r'<select name="time_zone".*?</select>', page, re.S)
    assert select, "the time zone is chosen from a list"
    values = re.findall(r'<option value="([^"]+)"', select.group(0))
    assert values[:2] == ["Europe/London", "America/Toronto"]
    assert "Asia/Kolkata" in values and len(values) > 300
    assert re.search(r'<option value="Europe/London"[^>]*selected', select.group(0))


def test_the_only_active_programme_is_chosen_already(client):
    programme = programme_with_plans()
    page = form_page(client)
    select = re.search(r'<select name="programme".*?</select>', page, re.S).group(0)
    assert "---------" not in select
    assert re.search(rf'<option value="{programme.pk}"[^>]*selected', select)


def test_with_two_programmes_the_facilitator_chooses(client):
    programme_with_plans()
    programme_with_plans()
    select = re.search(r'<select name="programme".*?</select>', form_page(client), re.S).group(0)
    assert "---------" in select
    assert "selected" not in select.replace('value="" selected', "")
