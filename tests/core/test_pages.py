"""Error pages, health check, demo data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import User
from core.demo import DEMO_PASSWORD
from core.views import bench_floor

pytestmark = [pytest.mark.foundation, pytest.mark.django_db]


def test_unknown_page_gets_a_calm_404(client: Client, participant) -> None:
    client.force_login(participant)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_health_answers_ok(client: Client) -> None:
    assert client.get("/health/").json() == {"status": "ok"}


def test_base_page_has_skip_link_landmarks_and_labelled_navigation(client: Client, participant) -> None:
    client.force_login(participant)
    page = client.get("/me/").content.decode()
    assert 'href="#main"' in page
    assert '<main id="main"' in page
    assert '<nav class="navbar navbar-expand-md" aria-label="Main">' in page
    assert 'name="viewport"' in page
    assert "cdn" not in page.lower()


def test_seed_demo_refuses_when_debug_is_off(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_makes_every_role_and_is_idempotent(settings) -> None:
    settings.DEBUG = True
    call_command("seed_demo")
    first = User.objects.count()
    call_command("seed_demo")
    assert User.objects.count() == first
    demo_participants = User.objects.filter(is_participant=True, email__regex=r"^participant[1-8]@steady\.example$")
    assert demo_participants.count() == 8
    assert User.objects.filter(is_facilitator=True).count() == 2
    assert User.objects.filter(is_service_lead=True).count() == 1
    managers = User.objects.filter(is_manager=True)
    assert managers.count() == 2
    assert sorted(demo_participants.filter(line_manager=manager).count() for manager in managers) == [4, 4]


def test_demo_logins_lists_only_accounts_that_can_sign_in_with_the_demo_password(settings) -> None:
    """`make run` prints these: group members seeded without a password must not be offered as logins."""
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    assert User.objects.filter(email__endswith="@steady.example", password__startswith="!").exists()
    out = StringIO()
    call_command("demo_logins", stdout=out)
    listed = [line.split()[0] for line in out.getvalue().splitlines()[1:]]
    assert "participant1@steady.example" in listed and "lead@steady.example" in listed
    for email in listed:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD), email


def test_favicon_is_linked_and_favicon_ico_leads_to_it(client: Client, participant) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/favicon.svg")
    assert finders.find("favicon.svg")
    client.force_login(participant)
    page = client.get("/me/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg"' in page


@pytest.mark.django_db
def test_bench_floor_is_not_routed_unless_the_setting_says_so(client) -> None:
    client.force_login(User.objects.create_user("floor@example.org", first_name="Floor"))
    assert client.get("/bench/floor/").status_code == 404


@pytest.mark.django_db
def test_bench_floor_answers_a_signed_in_person_only(rf) -> None:
    request = rf.get("/bench/floor/")
    request.user = AnonymousUser()
    assert bench_floor(request).status_code == 302
    request.user = User.objects.create_user("floor@example.org", first_name="Floor")
    response = bench_floor(request)
    assert response.status_code == 200 and response.content == f"ok {request.user.pk}".encode()
