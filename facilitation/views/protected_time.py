"""Protected-time pages: the manager's inbox and decisions, deputies, the participant's and facilitator's views."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.forms import LineManagerNameForm
from accounts.line_managers import (
    line_manager_request_confirm,
    line_manager_request_create,
    line_manager_request_get_for_lead,
    line_manager_request_get_for_manager,
    line_manager_request_waiting,
    line_manager_requests_waiting,
)
from core import page_cache
from core.errors import DomainError
from core.feedback import service_attempt
from core.forms import form_add_domain_error
from facilitation import forms
from facilitation.calendar import protected_time_rota_build
from facilitation.models import ProtectedTimeLine
from facilitation.selectors.protected_time import (
    protected_time_approved_lines_for,
    protected_time_delegation_get_for_manager,
    protected_time_delegations_active,
    protected_time_delegations_for,
    protected_time_history_for,
    protected_time_manager_ids_for,
    protected_time_request_events,
    protected_time_request_get_for_decider,
    protected_time_request_get_for_facilitator,
    protected_time_request_get_for_participant,
    protected_time_requests_to_decide,
)
from facilitation.selectors.protected_time import protected_time_matrix as protected_time_matrix_context
from facilitation.services.delegations import protected_time_delegation_create, protected_time_delegation_revoke
from facilitation.services.protected_time import protected_time_comment as protected_time_comment_service
from facilitation.services.protected_time import (
    protected_time_record_external as protected_time_record_external_service,
)
from facilitation.services.protected_time import protected_time_submit, protected_time_withdraw
from facilitation.services.protected_time_decisions import protected_time_approve, protected_time_decline
from facilitation.services.protected_time_decisions import (
    protected_time_bulk_approve as protected_time_bulk_approve_service,
)
from sessions.selectors.access import cohort_get_for_facilitator


def _manager_ids_or_403(request: HttpRequest) -> list[int]:
    """Managers the signed-in person may decide for; 403 for someone who is neither manager nor deputy."""
    manager_ids = protected_time_manager_ids_for(user=request.user)
    if not manager_ids:
        raise PermissionDenied
    return manager_ids


def _inbox_render(request: HttpRequest, manager_ids: list[int]) -> str:
    """The inbox below its greeting, as the page cache keeps it (the CSRF token a placeholder the view fills)."""
    user = request.user
    pending = protected_time_requests_to_decide(user=user, manager_ids=manager_ids)
    delegations = protected_time_delegations_active(manager=user) if user.is_manager else []
    context = {
        "user": user,
        "csrf_token": page_cache.CSRF_PLACEHOLDER,
        "pending": pending,
        "delegations": delegations,
        "deciding_for_others": [pk for pk in manager_ids if pk != user.pk],
        "line_manager_requests": line_manager_requests_waiting(email=user.email),
        "buffer_minutes": settings.STEADY_PROTECTED_TIME_BUFFER_MINUTES,
    }
    return render_to_string("facilitation/partials/manager_inbox.html", context)


def protected_time_inbox_page(request: HttpRequest) -> HttpResponse:
    """The requests waiting for the signed-in person, kept in the page cache until one of them changes.

    It shows the staff of each manager the person decides for today (themselves, and whoever named them deputy):
    every step of a request bumps its participant's line manager (``person:<id>``); deputies, line-manager
    requests and a change of line manager bump the people they name. Who they decide for is read on a miss
    only: it changes by those same writes (a deputy's bump is theirs) and by the day, which is in the key.
    Someone who decides for nobody is refused (403) and nothing is kept.
    """
    user = request.user
    decides_for: list[int] = []

    def scopes() -> list[str]:
        decides_for.extend(_manager_ids_or_403(request))
        return [page_cache.person(pk) for pk in decides_for]

    body = page_cache.fragment(
        "protected-time-inbox",
        user_id=user.pk,
        key=(user.is_manager, user.email, timezone.localdate(), settings.STEADY_PROTECTED_TIME_BUFFER_MINUTES),
        scopes=scopes,
        render=lambda: _inbox_render(request, decides_for),
    )
    return render(request, "facilitation/manager_home.html", {"body": page_cache.csrf_fill(body, request)})


@login_required
def protected_time_inbox(request: HttpRequest) -> HttpResponse:
    """The same list for a deputy who is not a line manager themselves."""
    return protected_time_inbox_page(request)


def _show_error(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message)


def _attempt(request: HttpRequest, action: Callable[[], object], *, success: str) -> None:
    """Call a service; say it worked, or show the domain error's message as an error (the service changed nothing)."""
    service_attempt(request, action, success=success, level=messages.ERROR)


@login_required
def protected_time_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """One request, session by session: approve some or all, decline with a reason, comment."""
    pt_request = protected_time_request_get_for_decider(user=request.user, pk=pk)
    pending_lines = [line for line in pt_request.lines.all() if line.decision == ProtectedTimeLine.Decision.PENDING]
    # Every line is a valid choice, so a session decided a moment ago by someone else gets the service's message.
    choices = [(line.pk, str(line.pk)) for line in pt_request.lines.all()]
    form = forms.ProtectedTimeDecisionForm(request.POST or None, line_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        line_ids = None if data["action"] == "approve_all" else data["lines"]
        try:
            if data["action"] in ("approve", "approve_all"):
                protected_time_approve(
                    request=pt_request,
                    actor=request.user,
                    line_ids=line_ids,
                    comment=data["comment"],
                    expected_version=data["version"],
                )
                messages.success(request, _("Approved. Thank you."))
            elif data["action"] == "decline":
                protected_time_decline(
                    request=pt_request,
                    actor=request.user,
                    reason=data["reason"],
                    line_ids=line_ids,
                    expected_version=data["version"],
                )
                messages.success(request, _("Declined. Your colleague will see your reason."))
            else:
                protected_time_comment_service(request=pt_request, actor=request.user, comment=data["comment"])
                messages.success(request, _("Comment added."))
        except DomainError as error:
            _show_error(request, error)
        if data["back"] == "list":
            return redirect(
                "facilitation:manager_home" if request.user.is_manager else "facilitation:protected_time_inbox"
            )
        return redirect("facilitation:protected_time_decide", pk=pt_request.pk)
    # After an error the ticks the person made are kept.
    ticked = set(form.cleaned_data.get("lines") or []) if form.is_bound and hasattr(form, "cleaned_data") else set()
    return render(
        request,
        "facilitation/protectedtimerequest_decide.html",
        {
            "pt_request": pt_request,
            "form": form,
            "pending_lines": pending_lines,
            "decided_lines": [line for line in pt_request.lines.all() if line not in pending_lines],
            "ticked": ticked,
            "events": protected_time_request_events(request=pt_request),
            "comment_form": forms.ProtectedTimeCommentForm(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def protected_time_comment(request: HttpRequest, pk: int) -> HttpResponse:
    pt_request = protected_time_request_get_for_decider(user=request.user, pk=pk)
    form = forms.ProtectedTimeCommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment first."))
    else:
        try:
            protected_time_comment_service(request=pt_request, actor=request.user, comment=form.cleaned_data["comment"])
            messages.success(request, _("Comment added."))
        except DomainError as error:
            _show_error(request, error)
    return redirect("facilitation:protected_time_decide", pk=pt_request.pk)


@login_required
@require_POST
def protected_time_bulk_approve(request: HttpRequest) -> HttpResponse:
    manager_ids = _manager_ids_or_403(request)
    waiting = {r.pk: r for r in protected_time_requests_to_decide(user=request.user, manager_ids=manager_ids)}
    form = forms.ProtectedTimeBulkApproveForm(request.POST, request_choices=[(pk, str(pk)) for pk in waiting])
    if not form.is_valid():
        messages.error(request, _("Tick at least one request that is still waiting, then approve."))
    else:
        try:
            done = protected_time_bulk_approve_service(
                requests=[waiting[pk] for pk in form.cleaned_data["requests"]], actor=request.user
            )
            messages.success(request, _("Approved %(count)d requests. Thank you.") % {"count": len(done)})
        except DomainError as error:
            _show_error(request, error)
    return redirect("facilitation:protected_time_inbox")


@login_required
def protected_time_history(request: HttpRequest) -> HttpResponse:
    manager_ids = _manager_ids_or_403(request)
    events = protected_time_history_for(user=request.user, manager_ids=manager_ids)
    return render(request, "facilitation/protectedtimerequest_history.html", {"events": events})


@role_required("manager")
def protected_time_calendar(request: HttpRequest) -> HttpResponse:
    """An .ics of the approved times of the manager's staff, for the rota. Neutral words only."""
    ics = protected_time_rota_build(lines=protected_time_approved_lines_for(user=request.user))
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="staff-protected-time.ics"'
    return response


@role_required("manager")
def protected_time_delegations(request: HttpRequest) -> HttpResponse:
    form = forms.ProtectedTimeDelegationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            protected_time_delegation_create(
                manager=request.user, deputy=data["deputy_email"], starts_on=data["starts_on"], ends_on=data["ends_on"]
            )
            messages.success(request, _("Your deputy can now decide requests for those dates."))
            return redirect("facilitation:protected_time_delegations")
        except DomainError as error:
            form_add_domain_error(form=form, error=error)
    delegations = protected_time_delegations_for(manager=request.user)
    return render(
        request,
        "facilitation/protectedtimedelegation_list.html",
        {"form": form, "delegations": delegations, "today": timezone.localdate()},
        status=400 if request.method == "POST" else 200,
    )


@role_required("manager")
@require_POST
def protected_time_delegation_end(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = protected_time_delegation_get_for_manager(user=request.user, pk=pk)
    try:
        protected_time_delegation_revoke(delegation=delegation, actor=request.user)
        messages.success(request, _("The deputy can no longer decide for you."))
    except DomainError as error:
        _show_error(request, error)
    return redirect("facilitation:protected_time_delegations")


@role_required("participant")
def protected_time_participant(request: HttpRequest, pk: int) -> HttpResponse:
    """The participant's own request: name a line manager if none, review and send the draft, see each session."""
    pt_request = protected_time_request_get_for_participant(user=request.user, pk=pk)
    name_form = LineManagerNameForm(request.POST or None)
    if request.method == "POST" and name_form.is_valid():
        try:
            line_manager_request_create(staff_member=request.user, **name_form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form=name_form, error=error)
        else:
            messages.success(request, _("We have emailed them a link to confirm. You can send your request then."))
            return redirect("facilitation:protected_time_participant", pk=pt_request.pk)
    return render(
        request,
        "facilitation/protectedtimerequest_participant.html",
        {
            "pt_request": pt_request,
            "events": protected_time_request_events(request=pt_request),
            "buffer_minutes": settings.STEADY_PROTECTED_TIME_BUFFER_MINUTES,
            "manager_waiting": line_manager_request_waiting(staff_member=request.user),
            "name_form": name_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def line_manager_confirm_signed_in(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in manager (or the service lead) confirms a person's line manager from their home page."""
    if request.user.is_service_lead and request.POST.get("as") == "lead":
        pending = line_manager_request_get_for_lead(user=request.user, pk=pk)
        back = "facilitation:lead_home"
    else:
        pending = line_manager_request_get_for_manager(user=request.user, pk=pk)
        back = "facilitation:manager_home"
    _attempt(
        request,
        lambda: line_manager_request_confirm(request=pending, by=request.user),
        success=_("Confirmed. They can now send you requests for protected time."),
    )
    return redirect(back)


@role_required("participant")
@require_POST
def protected_time_participant_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _participant_step(
        request,
        pk,
        service=protected_time_submit,
        success=_("Sent to your line manager. You will hear when they answer."),
    )


@role_required("participant")
@require_POST
def protected_time_participant_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _participant_step(request, pk, service=protected_time_withdraw, success=_("Your request was withdrawn."))


def _participant_step(request: HttpRequest, pk: int, *, service: Callable[..., object], success: str) -> HttpResponse:
    """A participant moves their own request on (``service(request=, actor=)``), then sees it again."""
    pt_request = protected_time_request_get_for_participant(user=request.user, pk=pk)
    _attempt(request, lambda: service(request=pt_request, actor=request.user), success=success)
    return redirect("facilitation:protected_time_participant", pk=pt_request.pk)


@role_required("facilitator")
def protected_time_matrix(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = cohort_get_for_facilitator(user=request.user, pk=pk)
    return render(request, "facilitation/protectedtime_matrix.html", protected_time_matrix_context(cohort=cohort))


@role_required("facilitator")
@require_POST
def protected_time_facilitator_submit(request: HttpRequest, pk: int) -> HttpResponse:
    pt_request = protected_time_request_get_for_facilitator(user=request.user, pk=pk)
    _attempt(
        request,
        lambda: protected_time_submit(request=pt_request, actor=request.user),
        success=_("Sent to the line manager on the participant's behalf."),
    )
    return redirect("facilitation:protected_time_matrix", pk=pt_request.enrolment.cohort_id)


@role_required("facilitator")
def protected_time_record_external(request: HttpRequest, pk: int) -> HttpResponse:
    pt_request = protected_time_request_get_for_facilitator(user=request.user, pk=pk)
    form = forms.ProtectedTimeExternalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            protected_time_record_external_service(
                request=pt_request, actor=request.user, note=form.cleaned_data["note"]
            )
            messages.success(request, _("Recorded as agreed outside Steady."))
            return redirect("facilitation:protected_time_matrix", pk=pt_request.enrolment.cohort_id)
        except DomainError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "facilitation/protectedtimerequest_record_external.html",
        {"pt_request": pt_request, "form": form},
        status=400 if request.method == "POST" else 200,
    )
