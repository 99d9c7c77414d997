"""Running a group session: the register, notes, held, move, cancel; a participant's apologies."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from core.errors import DomainError
from core.feedback import service_attempt
from core.forms import form_add_domain_error
from core.links import role_home_url_name
from sessions.forms import (
    CancelForm,
    GroupNotesForm,
    RescheduleForm,
)
from sessions.models import Attendance
from sessions.selectors.access import (
    group_session_get_for_facilitator,
    group_session_get_for_member,
    participant_get_in_session,
)
from sessions.selectors.cohorts import RegisterRow, attendance_get, register_rows, run_session
from sessions.services.attendance import apologies_send as apologies_send_service
from sessions.services.attendance import apologies_withdraw as apologies_withdraw_service
from sessions.services.attendance import attendance_record
from sessions.services.checkin_offers import checkin_offers_make as checkin_offers_make_service
from sessions.services.group_sessions import (
    group_notes_update,
    group_session_cancel,
    group_session_hold,
    group_session_reschedule,
)


@role_required("facilitator")
def session_run(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = group_session_get_for_facilitator(user=request.user, pk=pk)
    context = {
        "group_session": group_session,
        "cohort": group_session.cohort,
        "notes_form": GroupNotesForm(initial={"notes": group_session.group_notes}),
        **run_session(group_session=group_session, user=request.user),
    }
    return render(request, "sessions/session_run.html", context)


@role_required("facilitator")
@require_POST
def attendance_mark(request: HttpRequest, pk: int, participant_id: int) -> HttpResponse:
    group_session = group_session_get_for_facilitator(user=request.user, pk=pk)
    participant = participant_get_in_session(group_session=group_session, pk=participant_id)
    error_message = ""
    attendance = None
    try:
        attendance = attendance_record(
            group_session=group_session, participant=participant, status=request.POST.get("status", ""), by=request.user
        )
    except DomainError as error:
        error_message = error.message
    if request.htmx:
        if attendance is None:
            attendance = attendance_get(group_session=group_session, participant=participant)
        row = RegisterRow(participant=participant, attendance=attendance)
        return render(
            request,
            "sessions/partials/register_row.html",
            {"row": row, "group_session": group_session, "statuses": Attendance.Status.choices, "error": error_message},
        )
    if error_message:
        messages.warning(request, error_message)
    return redirect("sessions:session_run", pk=group_session.pk)


@role_required("facilitator")
@require_POST
def session_notes(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = group_session_get_for_facilitator(user=request.user, pk=pk)
    form = GroupNotesForm(request.POST)
    if form.is_valid():
        group_notes_update(group_session=group_session, notes=form.cleaned_data["notes"], by=request.user)
        messages.success(request, _("Group notes saved."))
    else:
        messages.warning(request, _("Keep group notes under 2,000 characters: themes, not a transcript."))
    return redirect("sessions:session_run", pk=group_session.pk)


@role_required("facilitator")
@require_POST
def session_hold(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = group_session_get_for_facilitator(user=request.user, pk=pk)
    service_attempt(
        request,
        lambda: group_session_hold(group_session=group_session, by=request.user),
        success=_("Marked as held. This week's materials are now open to the group."),
    )
    return redirect("sessions:session_run", pk=group_session.pk)


@role_required("facilitator")
@require_POST
def checkin_offers_make(request: HttpRequest, pk: int) -> HttpResponse:
    """Offer the ticked people of this session's register a check-in; each hears privately."""
    group_session = group_session_get_for_facilitator(user=request.user, pk=pk)
    ids = {int(value) for value in request.POST.getlist("participants") if value.isdigit()}
    participants = [row.participant for row in register_rows(group_session=group_session) if row.participant.pk in ids]
    try:
        made = checkin_offers_make_service(group_session=group_session, participants=participants, by=request.user)
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(n)d offer sent. You will see it on your home page if it is not taken up within three days.",
                "%(n)d offers sent. You will see them on your home page if they are not taken up within three days.",
                len(made),
            )
            % {"n": len(made)},
        )
    return redirect("sessions:session_run", pk=group_session.pk)


@role_required("facilitator")
def session_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = group_session_get_for_facilitator(user=request.user, pk=pk)
    initial = {"local_date": group_session.local_date}
    if request.GET.get("keep") == "planned":
        initial = {"local_date": group_session.planned_date, "reason": _("Kept on its planned date")}
    form = RescheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group_session_reschedule(
                group_session=group_session,
                local_date=data["local_date"],
                start_time=data["start_time"],
                reason=data["reason"],
                by=request.user,
            )
        except DomainError as error:
            form_add_domain_error(form=form, error=error)
        else:
            messages.success(request, _("The session moved and the group has been told."))
            return redirect(group_session.cohort)
    return render(
        request, "sessions/session_change.html", {"group_session": group_session, "form": form, "action": "move"}
    )


@role_required("facilitator")
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = group_session_get_for_facilitator(user=request.user, pk=pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group_session_cancel(group_session=group_session, reason=form.cleaned_data["reason"], by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The session is cancelled and the group has been told."))
            return redirect(group_session.cohort)
    return render(
        request, "sessions/session_change.html", {"group_session": group_session, "form": form, "action": "cancel"}
    )


@role_required("participant")
@require_POST
def apologies_send(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = group_session_get_for_member(user=request.user, pk=pk)
    service_attempt(
        request,
        lambda: apologies_send_service(
            group_session=group_session, participant=request.user, note=request.POST.get("note", "")
        ),
        success=_(
            "Your facilitators know you can't make it. Thank you for letting them know. "
            "If your plans change, you can take it back on this page until the session starts."
        ),
    )
    return redirect(role_home_url_name("participant"))


@role_required("participant")
@require_POST
def apologies_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = group_session_get_for_member(user=request.user, pk=pk)
    service_attempt(
        request,
        lambda: apologies_withdraw_service(group_session=group_session, participant=request.user),
        success=_("Your apologies are taken back: the facilitators expect you at the session."),
    )
    return redirect(role_home_url_name("participant"))
