from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from core.errors import DomainError
from sessions.forms import CohortForm
from sessions.services import cohort_create as cohort_create_service


@role_required("facilitator")
def cohort_create(request: HttpRequest) -> HttpResponse:
    form = CohortForm(request.POST or None, initial={"facilitators": [request.user.pk]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cohort = cohort_create_service(
                programme=data["programme"],
                name=data["name"],
                facilitators=list(data["facilitators"]),
                start_date=data["start_date"],
                start_time=data["start_time"],
                time_zone=data["time_zone"],
                holiday_region=data["holiday_region"],
                capacity=data["capacity"],
                venue=data["venue"],
                video_link=data["video_link"],
                status=data["status"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            moved = cohort.group_sessions.exclude(moved_reason="").count()
            messages.success(request, _("The cohort and its weekly sessions are planned."))
            if moved:
                messages.info(request, _("Some sessions moved because of bank holidays or closures; check them below."))
            return redirect(cohort)
    return render(request, "sessions/cohort_form.html", {"form": form})
