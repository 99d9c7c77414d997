"""Middleware of Steady's own: pages for a signed-in person are never stored by a browser or a proxy; the
Permissions-Policy header (django-csp sends the Content-Security-Policy); signing out a session left idle."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.audit import address_for
from core.http import client_address

PRIVATE_NO_STORE = "private, no-store"


class NoStoreForSignedInMiddleware:
    """Send ``Cache-Control: private, no-store`` on every response to a signed-in person.

    Pages, downloads and exports for a signed-in person hold health or personal details: a shared
    ward computer's cache, or a proxy, must not keep them. A view that sets its own Cache-Control
    keeps it (the calendar feed, which calendar apps fetch without a session, sets its own and
    answers conditional requests with its ETag).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = PRIVATE_NO_STORE
        return response


# When the session last saw its person, in seconds since the epoch.
SEEN_AT = "steady_seen_at"
# The stamp is written at most once a minute, so an ordinary page view writes no session row.
SEEN_REFRESH_SECONDS = 60


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` (``STEADY_PERMISSIONS_POLICY``): Steady uses no camera, microphone or location."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Permissions-Policy"):
            response["Permissions-Policy"] = settings.STEADY_PERMISSIONS_POLICY
        return response


class IdleTimeoutMiddleware:
    """Sign out a session idle for longer than ``STEADY_IDLE_TIMEOUT_MINUTES`` (0 turns this off).

    A shared ward or office computer left signed in must not stay open on someone's group or check-ins.
    Goes after the message middleware, so the sign-in page can say why.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        minutes = settings.STEADY_IDLE_TIMEOUT_MINUTES
        if minutes and request.user.is_authenticated:
            now = time.time()
            seen = request.session.get(SEEN_AT)
            if seen is not None and now - seen > minutes * 60:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity. Please sign in again.")
                    % {"minutes": minutes},
                )
            elif seen is None or abs(now - seen) >= SEEN_REFRESH_SECONDS:
                request.session[SEEN_AT] = now
        return self.get_response(request)


class AuditAddressMiddleware:
    """Make the client's address (``core.http.client_address``) known to the access log for this request.

    Every access-log row written while the request is served (a clinical read, a change) carries it;
    see ``core.audit.address_for`` for why this is a context variable and not an argument.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with address_for(client_address(request)):
            return self.get_response(request)
