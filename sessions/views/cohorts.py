"""Cohort pages for facilitators: create, see, change, change status, invite."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from core.errors import DomainError
from core.forms import form_add_domain_error
from sessions.forms import (
    CohortForm,
    CohortUpdateForm,
    InviteForm,
)
from sessions.models import Cohort
from sessions.selectors.access import (
    cohort_get_for_facilitator,
    cohort_get_for_lead,
)
from sessions.selectors.cohorts import attach_progress, cohort_moved_session_count, cohort_overview_for_lead
from sessions.selectors.cohorts import cohort_detail as cohort_detail_context
from sessions.selectors.cover import CoverWarning, cover_warnings
from sessions.services.cohorts import cohort_create as cohort_create_service
from sessions.services.cohorts import cohort_status_change, cohort_update
from sessions.services.invitations import enrolment_invite
from sessions.services.joining import GoAheadNeeded
from sessions.views.places import go_ahead_page


def cover_message(request: HttpRequest, warnings: list[CoverWarning]) -> None:
    """Say at once when a change leaves a session that needs two facilitators without them."""
    for warning in warnings:
        labels = ", ".join(str(item.group_session.session_plan.label) for item in warning.sessions)
        messages.warning(
            request,
            _("%(cohort)s: %(sessions)s need two facilitators, and fewer than two are free. Name cover when you can.")
            % {"cohort": warning.cohort.name, "sessions": labels},
        )


@role_required("service_lead")
def cohort_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """The service lead's read-only cohort page: counts and dates, nothing clinical."""
    cohort = cohort_get_for_lead(user=request.user, pk=pk)
    attach_progress(cohorts=[cohort], now=timezone.now())
    return render(request, "sessions/cohort_overview.html", cohort_overview_for_lead(cohort=cohort))


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
            form_add_domain_error(form=form, error=error)
        else:
            moved = cohort_moved_session_count(cohort=cohort)
            messages.success(request, _("The cohort and its weekly sessions are planned."))
            if moved:
                messages.info(request, _("Some sessions moved because of bank holidays or closures; check them below."))
            cover_message(request, cover_warnings(cohort_ids=[cohort.pk]))
            return redirect(cohort)
    return render(request, "sessions/cohort_form.html", {"form": form})


@role_required("facilitator")
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = cohort_get_for_facilitator(user=request.user, pk=pk)
    context = {"cohort": cohort, "invite_form": InviteForm(), **cohort_detail_context(cohort=cohort, user=request.user)}
    return render(request, "sessions/cohort_detail.html", context)


@role_required("facilitator")
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = cohort_get_for_facilitator(user=request.user, pk=pk)
    initial = {
        "name": cohort.name,
        "facilitators": list(cohort.facilitators.all()),
        "capacity": cohort.capacity,
        "venue": cohort.venue,
        "video_link": cohort.video_link,
    }
    form = CohortUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cohort_update(
                cohort=cohort,
                name=data["name"],
                venue=data["venue"].strip(),
                video_link=data["video_link"].strip(),
                capacity=data["capacity"],
                facilitators=list(data["facilitators"]),
                by=request.user,
            )
        except DomainError as error:
            form_add_domain_error(form=form, error=error)
        else:
            messages.success(request, _("The cohort is updated."))
            cover_message(request, cover_warnings(cohort_ids=[cohort.pk]))
            return redirect(cohort)
    return render(request, "sessions/cohort_edit.html", {"cohort": cohort, "form": form})


@role_required("facilitator")
@require_POST
def cohort_status(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = cohort_get_for_facilitator(user=request.user, pk=pk)
    status = request.POST.get("status", "")
    if status == Cohort.Status.CANCELLED and request.POST.get("confirm") != "1":
        # One tap must not cancel a whole group: ask first, saying what will happen.
        return render(request, "sessions/cohort_cancel_confirm.html", {"cohort": cohort})
    try:
        cohort_status_change(cohort=cohort, status=status, by=request.user)
    except (DomainError, ValueError) as error:
        messages.warning(request, getattr(error, "message", _("Choose one of the statuses offered.")))
    return redirect(cohort)


@role_required("facilitator")
@require_POST
def cohort_invite(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = cohort_get_for_facilitator(user=request.user, pk=pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        try:
            result = enrolment_invite(cohort=cohort, email=email, by=request.user, reason=form.cleaned_data["reason"])
        except GoAheadNeeded as error:
            return go_ahead_page(request, cohort=cohort, error=error, hidden={"email": email})
        except DomainError as error:
            messages.warning(request, error.message)
        else:
            if result.enrolment:
                messages.success(request, _("Invited. They can read the information pack when they sign in."))
            else:
                messages.success(request, _("Invitation sent. The link works once and expires."))
    else:
        messages.warning(request, _("Enter a valid email address, such as name@hospital.nhs.uk."))
    return redirect(cohort)
