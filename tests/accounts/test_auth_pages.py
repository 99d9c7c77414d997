"""Signing out, changing a password, and the page after a reset, over HTTP."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = [pytest.mark.foundation, pytest.mark.django_db]
NEW_PASSWORD = "a-brand-new-calm-password"


def test_signing_out_is_a_post_and_ends_the_session(client: Client, participant) -> None:
    client.force_login(participant)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_password_change_needs_signing_in(client: Client) -> None:
    for name in ("password_change", "password_change_done"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login") + "?next=")


def test_a_wrong_current_password_is_named_and_changes_nothing(client: Client, participant) -> None:
    client.force_login(participant)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": "not-my-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    participant.refresh_from_db()
    assert participant.check_password(PASSWORD)


def test_changing_the_password_keeps_you_signed_in_and_says_so(client: Client, participant) -> None:
    client.force_login(participant)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    participant.refresh_from_db()
    assert participant.check_password(NEW_PASSWORD)
    assert client.get(reverse("password_change_done")).status_code == 200


def test_the_page_after_a_reset_says_the_password_is_saved(client: Client) -> None:
    page = client.get(reverse("password_reset_complete"))
    assert page.status_code == 200
    assert "Your new password is saved. You can sign in with it now." in page.content.decode()
    assert f'href="{reverse("home")}"' in page.content.decode()
