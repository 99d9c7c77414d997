from __future__ import annotations

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database answers; for load balancers and `make run`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and bookmarking tools ask for /favicon.ico whatever the page links: send them the icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@login_required
def bench_floor(request: HttpRequest) -> HttpResponse:
    """The benchmark's floor: a constant answer after the same middleware, session and sign-in as any page.

    Routed only when ``STEADY_BENCH_FLOOR`` is set (bench/load.py), never in production.
    """
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


# The 500 page carries its own <style>, so it still looks calm when static files are what broke; the
# Content-Security-Policy allows exactly that block by its hash (tests/privacy/test_hardening.py checks it).
ERROR_PAGE_STYLE_HASH = "'sha256-OB8qmfZJnBsnNNd20bl9Va6RxkzrLUbjc4/Jr3/DFgg='"


@csp_update({"style-src": [ERROR_PAGE_STYLE_HASH]})
def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
