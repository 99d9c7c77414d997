"""Signing in, roles and their home pages, password reset."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, FacilitatorFactory, ParticipantFactory, UserFactory

pytestmark = [pytest.mark.foundation, pytest.mark.django_db]
GENERIC = "That email address and password do not match an account."


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_wrong_password_and_unknown_email_get_the_same_message(client: Client, participant) -> None:
    wrong_password = sign_in(client, participant.email, "not-the-password")
    unknown_email = sign_in(client, "nobody@hospital.example")
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert GENERIC in wrong_password.content.decode()
    assert GENERIC in unknown_email.content.decode()


@pytest.mark.parametrize(
    ("factory_kwargs", "home"),
    [
        ({"is_participant": True}, "facilitation:participant_home"),
        ({"is_facilitator": True}, "facilitation:facilitator_home"),
        ({"is_manager": True}, "facilitation:manager_home"),
        ({"is_service_lead": True}, "facilitation:lead_home"),
        ({}, "accounts:no_role"),
    ],
)
def test_each_role_lands_on_its_own_home_page(client: Client, factory_kwargs: dict, home: str) -> None:
    user = UserFactory(**factory_kwargs)
    response = sign_in(client, user.email)
    assert response.status_code == 302
    landing = client.get(response["Location"], follow=True)
    assert landing.redirect_chain[-1][0] == reverse(home)
    assert landing.status_code == 200


def test_manager_who_is_also_a_participant_sees_both_in_the_navigation(client: Client) -> None:
    user = UserFactory(is_manager=True, is_participant=True)
    client.force_login(user)
    page = client.get(reverse("facilitation:manager_home")).content.decode()
    assert reverse("facilitation:participant_home") in page
    assert reverse("facilitation:manager_home") in page
    assert client.get(reverse("facilitation:participant_home")).status_code == 200


@pytest.mark.parametrize(
    "url_name",
    ["facilitation:facilitator_home", "facilitation:manager_home", "facilitation:lead_home"],
)
def test_participant_cannot_open_other_roles_home_pages(client: Client, participant, url_name: str) -> None:
    client.force_login(participant)
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert "not available to you" in response.content.decode()


def test_signed_out_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("facilitation:participant_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_without_csrf_token_gets_the_calm_403_page(participant) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": participant.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "Please try that again" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_answers_the_same_for_known_and_unknown_email(
    client: Client, participant, eager_celery, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("password_reset"), {"email": participant.email})
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(reverse("password_reset"), {"email": "nobody@hospital.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert [message.to for message in mail.outbox] == [[participant.email]]
    assert "Steady" in mail.outbox[0].subject


def test_password_reset_link_sets_a_new_password(
    client: Client, participant, eager_celery, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": participant.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-calm-password", "new_password2": "a-brand-new-calm-password"},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.check_password("a-brand-new-calm-password")


def test_repeated_failures_lock_the_account_for_a_while(client: Client, settings) -> None:
    user = FacilitatorFactory()
    responses = [sign_in(client, user.email, "wrong") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    response = responses[-1]
    assert response.status_code == 429
    assert "sign-in is paused" in response.content.decode()


def test_user_cannot_be_their_own_line_manager() -> None:

    user = ParticipantFactory()
    user.line_manager = user
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()
