"""Being a superuser opens the admin, not the pages of roles the person does not hold."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sessions.models import Cohort
from tests.factories import ProgrammeFactory, UserFactory

pytestmark = [pytest.mark.privacy, pytest.mark.django_db]

ROLE_PAGES = [
    "facilitation:participant_home",
    "facilitation:facilitator_home",
    "facilitation:manager_home",
    "facilitation:lead_home",
    "sessions:checkin_book",
    "sessions:availability",
    "sessions:cohort_create",
    "facilitation:protected_time_delegations",
    "facilitation:protected_time_calendar",
    "programmes:programme_list",
]


@pytest.fixture
def superuser_without_roles(client: Client):
    user = UserFactory(email="root@hospital.example", is_staff=True, is_superuser=True)
    assert user.roles == ()
    client.force_login(user)
    return user


@pytest.mark.parametrize("url_name", ROLE_PAGES)
def test_a_superuser_without_the_role_is_refused_the_role_page(
    client: Client, superuser_without_roles, url_name: str
) -> None:
    assert client.get(reverse(url_name)).status_code == 403


def test_a_superuser_without_the_facilitator_role_cannot_create_a_cohort(client: Client, superuser_without_roles):
    programme = ProgrammeFactory()
    response = client.post(
        reverse("sessions:cohort_create"),
        {"name": "Side door", "programme": programme.pk, "start_date": "2026-09-07", "start_time": "13:00"},
    )
    assert response.status_code == 403
    assert not Cohort.objects.exists()


def test_a_superuser_with_the_role_still_passes_and_keeps_the_admin_permissions(client: Client) -> None:
    user = UserFactory(email="lead-root@hospital.example", is_staff=True, is_superuser=True, is_facilitator=True)
    client.force_login(user)
    assert client.get(reverse("sessions:availability")).status_code == 200
    assert user.has_perm("accounts.act_as_facilitator") and not user.has_perm("accounts.act_as_manager")
    assert user.has_perm("group_sessions.view_checkin")  # the admin's model permissions are unchanged
