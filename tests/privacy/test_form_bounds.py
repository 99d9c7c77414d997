"""Numbers beyond the id column are refused by the form, not passed to the database (found by the fuzzing)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from reminders.forms import RetryForm
from sessions.forms import CohortUpdateForm
from tests.factories import FacilitatorFactory, ServiceLeadFactory

pytestmark = [pytest.mark.privacy, pytest.mark.django_db]
TOO_BIG = str(2**64)


@pytest.mark.parametrize("value", [TOO_BIG, "-3", "0", "1.5", "\x00"])
def test_a_facilitator_id_out_of_range_is_refused_by_the_form(value: str) -> None:
    form = CohortUpdateForm({"name": "Spring", "capacity": "8", "facilitators": [value]})
    assert not form.is_valid()
    assert "facilitators" in form.errors


def test_creating_a_cohort_with_a_huge_facilitator_id_is_a_form_error(client: Client) -> None:
    client.force_login(FacilitatorFactory())
    response = client.post(reverse("sessions:cohort_create"), {"facilitators": [TOO_BIG]})
    assert response.status_code == 200  # the form again (this page answers a refused form with 200)
    assert "facilitators" in response.context["form"].errors


def test_retrying_a_reminder_with_a_huge_id_is_refused(client: Client) -> None:
    assert not RetryForm({"reminder": TOO_BIG}).is_valid()
    client.force_login(ServiceLeadFactory())
    response = client.post(reverse("reminders:operations_retry"), {"reminder": TOO_BIG})
    assert response.status_code < 500
