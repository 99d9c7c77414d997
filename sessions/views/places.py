"""Place pages: the information pack, leaving, reminder choice, invitations, confirming, withdrawing, materials."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import role_required
from core.errors import DomainError
from core.links import role_home_url_name
from core.selectors import crisis_contacts_for
from programmes.downloads import material_file_response
from sessions.forms import (
    GoAheadForm,
    InvitationAcceptForm,
    WithdrawForm,
)
from sessions.models import Cohort, Enrolment
from sessions.selectors.access import (
    enrolment_get_for_facilitator,
    enrolment_get_for_participant,
    material_get_for_participant,
)
from sessions.selectors.help_requests import help_request_open_for
from sessions.selectors.places import cohort_pack_current, meeting_facts_for
from sessions.services.enrolments import (
    enrolment_acknowledge,
    enrolment_confirm,
    enrolment_hour_reminder_set,
    enrolment_waitlist,
)
from sessions.services.enrolments import enrolment_withdraw as enrolment_withdraw_service
from sessions.services.invitations import InvitationUnusable, enrolment_decline, invitation_check, invitation_decline
from sessions.services.invitations import invitation_accept as invitation_accept_service
from sessions.services.joining import GoAheadNeeded


@role_required("participant")
def enrolment_pack(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = enrolment_get_for_participant(user=request.user, pk=pk)
    pack = cohort_pack_current(cohort=enrolment.cohort)
    if pack is None:
        raise Http404
    if request.method == "POST":
        try:
            enrolment_acknowledge(enrolment=enrolment, pack=pack, by=request.user)
        except DomainError as error:
            messages.warning(request, error.message)
        else:
            messages.success(request, _("Thank you. A facilitator will confirm your place."))
            return redirect(role_home_url_name("participant"))
    sections = list(pack.sections.order_by("position", "pk"))
    return render(
        request,
        "sessions/enrolment_pack.html",
        {
            "enrolment": enrolment,
            "pack": pack,
            "sections": sections,
            "acknowledged": enrolment.pack_acknowledged_id == pack.pk,
            "facts": meeting_facts_for(cohorts=[enrolment.cohort])[enrolment.cohort_id],
        },
    )


def _withdraw_page(request: HttpRequest, enrolment: Enrolment, *, done: str, then: str | Cohort) -> HttpResponse:
    """Ask for an optional reason (only facilitators see it), withdraw the place, say so, go on to ``then``."""
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment_withdraw_service(enrolment=enrolment, reason=form.cleaned_data["reason"], by=request.user)
        except DomainError as error:
            messages.warning(request, error.message)
        else:
            messages.success(request, done)
        return redirect(then)
    context = {
        "enrolment": enrolment,
        "form": form,
        "crisis_contacts": crisis_contacts_for(region=enrolment.cohort.holiday_region),
        "open_help_request": help_request_open_for(enrolment=enrolment),
    }
    return render(request, "sessions/enrolment_withdraw.html", context)


@role_required("participant")
def enrolment_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """The participant gives up their own place."""
    enrolment = enrolment_get_for_participant(user=request.user, pk=pk)
    return _withdraw_page(
        request,
        enrolment,
        done=_("Your place is withdrawn. You are welcome back another time."),
        then=role_home_url_name("participant"),
    )


@role_required("participant")
@require_POST
def enrolment_hour_reminder(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = enrolment_get_for_participant(user=request.user, pk=pk)
    enrolment_hour_reminder_set(enrolment=enrolment, on=request.POST.get("on") == "1", by=request.user)
    messages.success(request, _("Your reminder choice is saved."))
    return redirect(role_home_url_name("participant"))


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_check(token=token)
    except InvitationUnusable as error:
        return render(request, "sessions/invitation_unusable.html", {"message": error.message}, status=410)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            validate_password(data["password"])
        except ValidationError as error:
            form.add_error("password", error)
        else:
            try:
                enrolment = invitation_accept_service(
                    token=token, first_name=data["first_name"], last_name=data["last_name"], password=data["password"]
                )
            except InvitationUnusable as error:
                return render(request, "sessions/invitation_unusable.html", {"message": error.message}, status=410)
            login(request, enrolment.participant, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("sessions:enrolment_pack", pk=enrolment.pk)
    facts = meeting_facts_for(cohorts=[invitation.cohort])[invitation.cohort_id]
    return render(
        request,
        "sessions/invitation_accept.html",
        {"invitation": invitation, "form": form, "facts": facts, "token": token},
    )


@require_POST
def invitation_not_for_me(request: HttpRequest, token: str) -> HttpResponse:
    """Someone invited by link declines kindly: no account is made, the facilitators are told."""
    try:
        invitation_decline(token=token)
    except InvitationUnusable as error:
        return render(request, "sessions/invitation_unusable.html", {"message": error.message}, status=410)
    return render(request, "sessions/invitation_declined.html")


@role_required("participant")
@require_POST
def enrolment_not_for_me(request: HttpRequest, pk: int) -> HttpResponse:
    """An invitee with an account declines kindly: the place is freed and the facilitators are told."""
    enrolment = enrolment_get_for_participant(user=request.user, pk=pk)
    try:
        enrolment_decline(enrolment=enrolment, by=request.user)
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        messages.success(
            request,
            _("Thank you for letting us know. The facilitators are told; you are welcome to join a later group."),
        )
    return redirect(role_home_url_name("participant"))


def go_ahead_page(
    request: HttpRequest, *, cohort: Cohort, error: GoAheadNeeded, hidden: dict[str, str]
) -> HttpResponse:
    """Show the facilitator why this person should not join now, and a form to go ahead with a reason.

    Posts back to the same address with ``hidden`` values; a reason left empty is refused here and
    again by the service. Only the cohort's facilitators reach this page.
    """
    form = GoAheadForm(request.POST if request.POST.get("reason", None) is not None else None)
    if form.is_bound:
        form.is_valid()
    return render(
        request,
        "sessions/place_go_ahead.html",
        {
            "cohort": cohort,
            "message": error.message,
            "suggestion": error.suggestion,
            "form": form,
            "hidden": hidden,
            "action": request.path,
        },
    )


ENROLMENT_ACTIONS = {
    "confirm": (enrolment_confirm, _("Place confirmed.")),
    "waitlist": (enrolment_waitlist, _("Added to the waitlist.")),
}


@role_required("facilitator")
@require_POST
def enrolment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    enrolment = enrolment_get_for_facilitator(user=request.user, pk=pk)
    if action not in ENROLMENT_ACTIONS:
        raise Http404
    service, done = ENROLMENT_ACTIONS[action]
    try:
        if action == "confirm":
            enrolment_confirm(enrolment=enrolment, by=request.user, reason=request.POST.get("reason", ""))
        else:
            service(enrolment=enrolment, by=request.user)
    except GoAheadNeeded as error:
        return go_ahead_page(request, cohort=enrolment.cohort, error=error, hidden={})
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, done)
    return redirect(enrolment.cohort)


@role_required("facilitator")
def enrolment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A facilitator withdraws someone's place, with an optional reason only facilitators see."""
    enrolment = enrolment_get_for_facilitator(user=request.user, pk=pk)
    return _withdraw_page(
        request,
        enrolment,
        done=_("The place is withdrawn. If someone was waiting, the place is theirs now."),
        then=enrolment.cohort,
    )


@role_required("participant")
def material_detail(request: HttpRequest, pk: int) -> HttpResponse:
    material = material_get_for_participant(user=request.user, pk=pk)
    return render(request, "sessions/material_detail.html", {"material": material})


@role_required("participant")
@require_safe
def material_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A released material's file, checked like the page (media files are not served publicly)."""
    material = material_get_for_participant(user=request.user, pk=pk)
    return material_file_response(material)
