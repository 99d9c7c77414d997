from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import role_required


@role_required("participant")
def participant_home(request: HttpRequest) -> HttpResponse:
    return render(request, "facilitation/participant_home.html")


@role_required("facilitator")
def facilitator_home(request: HttpRequest) -> HttpResponse:
    return render(request, "facilitation/facilitator_home.html")


@role_required("manager")
def manager_home(request: HttpRequest) -> HttpResponse:
    return render(request, "facilitation/manager_home.html")


@role_required("service_lead")
def lead_home(request: HttpRequest) -> HttpResponse:
    from core.models import Heartbeat

    return render(request, "facilitation/lead_home.html", {"heartbeats": Heartbeat.objects.order_by("name")})
