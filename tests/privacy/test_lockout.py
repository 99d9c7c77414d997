"""The sign-in lockout holds per account and address, refuses the right password, and sees past the proxy."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, FacilitatorFactory

pytestmark = [pytest.mark.privacy, pytest.mark.django_db]


def sign_in(client: Client, email: str, password: str, address: str = "198.51.100.7", forwarded: str = ""):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def lock_out(client: Client, email: str, limit: int, **where: str) -> None:
    statuses = [sign_in(client, email, "wrong", **where).status_code for _ in range(limit)]
    assert statuses[-1] == 429


def test_failures_are_stored_under_the_email_address_typed(client: Client) -> None:
    user = FacilitatorFactory(email="typist@hospital.example")
    sign_in(client, "  Typist@Hospital.example ", "wrong")
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == (user.email, "198.51.100.7")


def test_while_locked_the_right_password_is_refused(client: Client, settings) -> None:
    user = FacilitatorFactory()
    lock_out(client, user.email, settings.AXES_FAILURE_LIMIT + 1)
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_for_that_account_from_that_address_only(settings) -> None:
    locked, colleague = FacilitatorFactory(), FacilitatorFactory()
    lock_out(Client(), locked.email, settings.AXES_FAILURE_LIMIT)
    # A colleague on the same ward computer still signs in; so does the person from another address.
    assert sign_in(Client(), colleague.email, PASSWORD).status_code == 302
    assert sign_in(Client(), locked.email, PASSWORD, address="203.0.113.9").status_code == 302
    assert sign_in(Client(), locked.email, PASSWORD).status_code == 429


def test_behind_the_trusted_proxy_each_client_keeps_their_own_address(settings) -> None:
    settings.STEADY_TRUSTED_PROXIES = 1
    user = FacilitatorFactory()
    proxy = {"address": "10.0.0.2"}
    lock_out(Client(), user.email, settings.AXES_FAILURE_LIMIT, forwarded="198.51.100.7", **proxy)
    # Someone else's typing, through the same proxy, does not lock this person out...
    assert sign_in(Client(), user.email, PASSWORD, forwarded="203.0.113.9", **proxy).status_code == 302
    # ...and the guesser cannot step around the lock by writing their own X-Forwarded-For first.
    spoofed = sign_in(Client(), user.email, PASSWORD, forwarded="192.0.2.1, 198.51.100.7", **proxy)
    assert spoofed.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_without_a_proxy_x_forwarded_for_is_ignored(settings) -> None:
    assert settings.STEADY_TRUSTED_PROXIES == 0
    user = FacilitatorFactory()
    lock_out(Client(), user.email, settings.AXES_FAILURE_LIMIT, forwarded="192.0.2.1")
    assert sign_in(Client(), user.email, PASSWORD, forwarded="192.0.2.99").status_code == 429
