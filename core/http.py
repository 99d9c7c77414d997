"""What Steady reads from a request whatever the page: the client's address behind the proxies we trust."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """Return the address of the person making the request.

    With ``STEADY_TRUSTED_PROXIES = 0`` (no proxy) it is ``REMOTE_ADDR`` and X-Forwarded-For is
    ignored, since anyone can send that header. Behind N proxies that each append the address they
    received from (nginx's ``$proxy_add_x_forwarded_for``), the client is the N-th address from the
    right of X-Forwarded-For: everything to its left was written by the client and is not trusted.
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    trusted = settings.STEADY_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    chosen = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    return _address(chosen) or remote


def safe_next(request: HttpRequest, default: str) -> str:
    """Return the ``next`` address the form sent when it stays on this site, else ``default``.

    An address on another site (``https://elsewhere.example/``, ``//elsewhere.example``) would let
    a link on a trusted page send someone to a look-alike sign-in page.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
