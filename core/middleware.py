"""Middleware of Steady's own: pages for a signed-in person are never stored by a browser or a proxy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
