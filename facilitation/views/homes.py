"""Each role's home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import role_required
from facilitation.selectors.homes import facilitator_home as facilitator_home_context
from facilitation.selectors.homes import lead_home as lead_home_context
from facilitation.selectors.homes import participant_home as participant_home_context
from facilitation.views.protected_time import protected_time_inbox_page


@role_required("participant")
def participant_home(request: HttpRequest) -> HttpResponse:
    return render(request, "facilitation/participant_home.html", participant_home_context(user=request.user))


@role_required("facilitator")
def facilitator_home(request: HttpRequest) -> HttpResponse:
    return render(request, "facilitation/facilitator_home.html", facilitator_home_context(user=request.user))


@role_required("manager")
def manager_home(request: HttpRequest) -> HttpResponse:
    """The line manager's home: requests for protected time waiting for them (own staff and delegated)."""
    return protected_time_inbox_page(request)


@role_required("service_lead")
def lead_home(request: HttpRequest) -> HttpResponse:
    return render(request, "facilitation/lead_home.html", lead_home_context())
