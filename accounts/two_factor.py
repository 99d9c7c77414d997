"""Two-step sign-in's session keys, and the middleware that sends a person who must set it up to do so."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Between the password and the code: who is signing in, how, where to, and since when.
PENDING = "steady_two_factor_pending"
# Set at sign-in when the person's role requires two-step sign-in and they have not set it up yet.
SETUP_REQUIRED = "steady_two_factor_setup_required"
# The new secret shown on the setup page, until a code from it is confirmed.
SETUP_KEY = "steady_two_factor_key"
# How long the code page waits after the password, in seconds.
PENDING_SECONDS = 5 * 60


class TwoFactorSetupRequiredMiddleware:
    """While a session is marked SETUP_REQUIRED, every page but the setup page and sign-out leads to setup."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and request.session.get(SETUP_REQUIRED):
            setup = reverse("accounts:two_factor_setup")
            allowed = (setup, reverse("logout"), settings.STATIC_URL)
            if not request.path.startswith(allowed):
                return redirect(setup)
        return self.get_response(request)
