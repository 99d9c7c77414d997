from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import role_required
from core.errors import DomainError
from core.services import access_log_record
from facilitation import forms, selectors, services
from facilitation.forms import (
    CancelForm,
    CohortUpdateForm,
    GroupNotesForm,
    InvitationAcceptForm,
    InviteForm,
    RescheduleForm,
    WithdrawForm,
)
from facilitation.models import ProtectedTimeDelegation, ProtectedTimeLine
from programmes.downloads import material_file_response
from sessions import services as session_services
from sessions.calendar import calendar_build, calendar_validators
from sessions.models import Attendance, Cohort

# The programme library's own rendering of a pack, when that branch provides it.
SHARED_PACK_TEMPLATE = "programmes/partials/information_pack.html"


# --- Participant -----------------------------------------------------------


@role_required("participant")
def participant_home(request: HttpRequest) -> HttpResponse:
    return render(request, "facilitation/participant_home.html", selectors.participant_home(request.user))


@role_required("participant")
def enrolment_pack(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_for_participant(request.user, pk)
    pack = services.current_pack(enrolment.cohort)
    if pack is None:
        raise Http404
    if request.method == "POST":
        try:
            services.enrolment_acknowledge(enrolment=enrolment, pack=pack, by=request.user)
        except DomainError as error:
            messages.warning(request, error.message)
        else:
            messages.success(request, _("Thank you. A facilitator will confirm your place."))
            return redirect("facilitation:participant_home")
    sections = list(pack.sections.order_by("position", "pk"))
    try:
        pack_template = get_template(SHARED_PACK_TEMPLATE).template.name
    except TemplateDoesNotExist:
        pack_template = "facilitation/partials/information_pack_sections.html"
    return render(
        request,
        "facilitation/enrolment_pack.html",
        {
            "enrolment": enrolment,
            "pack": pack,
            "sections": sections,
            "acknowledged": enrolment.pack_acknowledged_id == pack.pk,
            "pack_template": pack_template,
        },
    )


@role_required("participant")
def enrolment_leave(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_for_participant(request.user, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_withdraw(enrolment=enrolment, reason=form.cleaned_data["reason"], by=request.user)
        except DomainError as error:
            messages.warning(request, error.message)
        else:
            messages.success(request, _("Your place is withdrawn. You are welcome back another time."))
        return redirect("facilitation:participant_home")
    return render(request, "facilitation/enrolment_withdraw.html", {"enrolment": enrolment, "form": form})


@role_required("participant")
@require_POST
def enrolment_hour_reminder(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_for_participant(request.user, pk)
    services.enrolment_hour_reminder_set(enrolment=enrolment, on=request.POST.get("on") == "1", by=request.user)
    messages.success(request, _("Your reminder choice is saved."))
    return redirect("facilitation:participant_home")


@role_required("participant")
@require_POST
def apologies_send(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = selectors.group_session_for_member(request.user, pk)
    try:
        services.apologies_send(
            group_session=group_session, participant=request.user, note=request.POST.get("note", "")
        )
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, _("Your facilitators know you can't make it. Thank you for letting them know."))
    return redirect("facilitation:participant_home")


@role_required("participant")
def material_detail(request: HttpRequest, pk: int) -> HttpResponse:
    material = selectors.material_for_participant(request.user, pk)
    return render(request, "facilitation/material_detail.html", {"material": material})


@role_required("participant")
@require_safe
def material_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A released material's file, checked like the page (media files are not served publicly)."""
    material = selectors.material_for_participant(request.user, pk)
    return material_file_response(material)


@login_required
@require_POST
def calendar_feed_rotate(request: HttpRequest) -> HttpResponse:
    feed = session_services.calendar_feed_rotate(user=request.user)
    if feed.rotated_at is None:
        messages.success(request, _("Your calendar address is ready: add it to your calendar app."))
    else:
        messages.success(
            request, _("Your calendar address is new. The old one no longer works; add the new one to your calendar.")
        )
    return redirect(request.POST.get("next") or "home")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret subscription feed: answers 304 when nothing changed since the calendar last asked."""
    user = selectors.feed_owner(token)
    sessions = selectors.feed_sessions(user)
    etag, last_modified = calendar_validators(sessions)
    places_changed = selectors.feed_places_changed(user)
    if places_changed and (last_modified is None or places_changed > last_modified):
        last_modified = places_changed
    last_modified_ts = int(last_modified.timestamp()) if last_modified else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified_ts)
    if not_modified is not None:
        return not_modified
    body = calendar_build(sessions, name="Steady", detailed_cohorts={s.cohort_id for s in sessions if s.facilitating})
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    if last_modified_ts:
        response["Last-Modified"] = http_date(last_modified_ts)
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = selectors.group_session_for_member(request.user, pk)
    detailed = selectors.facilitated_cohort_ids(request.user)
    response = HttpResponse(
        calendar_build([group_session], detailed_cohorts=detailed), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{group_session.local_date:%Y-%m-%d}.ics"'
    return response


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_check(token=token)
    except services.InvitationUnusable as error:
        return render(request, "facilitation/invitation_unusable.html", {"message": error.message}, status=410)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            validate_password(data["password"])
        except ValidationError as error:
            form.add_error("password", error)
        else:
            try:
                enrolment = services.invitation_accept(
                    token=token, first_name=data["first_name"], last_name=data["last_name"], password=data["password"]
                )
            except services.InvitationUnusable as error:
                return render(request, "facilitation/invitation_unusable.html", {"message": error.message}, status=410)
            login(request, enrolment.participant, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("facilitation:enrolment_pack", pk=enrolment.pk)
    return render(request, "facilitation/invitation_accept.html", {"invitation": invitation, "form": form})


# --- Facilitator -----------------------------------------------------------


@role_required("facilitator")
def facilitator_home(request: HttpRequest) -> HttpResponse:
    return render(request, "facilitation/facilitator_home.html", selectors.facilitator_home(request.user))


@role_required("facilitator")
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_for_facilitator(request.user, pk)
    context = {"cohort": cohort, "invite_form": InviteForm(), **selectors.cohort_detail(cohort)}
    # Withdrawal reasons are clinical: record that this facilitator read them.
    access_log_record(
        actor=request.user, records=[e for e in context["withdrawn"] if e.withdrawal_reason], subject_attr="participant"
    )
    context["next_statuses"] = [
        (value, Cohort.Status(value).label) for value in session_services.STATUS_TRANSITIONS[cohort.status]
    ]
    return render(request, "facilitation/cohort_detail.html", context)


@role_required("facilitator")
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_for_facilitator(request.user, pk)
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
            services.cohort_update(
                cohort=cohort,
                name=data["name"],
                venue=data["venue"].strip(),
                video_link=data["video_link"].strip(),
                capacity=data["capacity"],
                facilitators=list(data["facilitators"]),
                by=request.user,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The cohort is updated."))
            return redirect(cohort)
    return render(request, "facilitation/cohort_edit.html", {"cohort": cohort, "form": form})


@role_required("facilitator")
@require_POST
def cohort_status(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_for_facilitator(request.user, pk)
    try:
        if request.POST.get("status") == Cohort.Status.COMPLETED:
            services.enrolments_complete(cohort=cohort, by=request.user)
        elif request.POST.get("status") == Cohort.Status.CANCELLED:
            if request.POST.get("confirm") != "1":
                # One tap must not cancel a whole group: ask first, saying what will happen.
                return render(request, "facilitation/cohort_cancel_confirm.html", {"cohort": cohort})
            services.cohort_cancel(cohort=cohort, by=request.user)
        else:
            services.cohort_status_change(cohort=cohort, status=request.POST.get("status", ""), by=request.user)
    except (DomainError, ValueError) as error:
        messages.warning(request, getattr(error, "message", _("Choose one of the statuses offered.")))
    return redirect(cohort)


@role_required("facilitator")
@require_POST
def cohort_invite(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_for_facilitator(request.user, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            result = services.enrolment_invite(cohort=cohort, email=form.cleaned_data["email"], by=request.user)
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


ENROLMENT_ACTIONS = {
    "confirm": (services.enrolment_confirm, _("Place confirmed.")),
    "waitlist": (services.enrolment_waitlist, _("Added to the waitlist.")),
}


@role_required("facilitator")
@require_POST
def enrolment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    enrolment = selectors.enrolment_for_facilitator(request.user, pk)
    if action not in ENROLMENT_ACTIONS:
        raise Http404
    service, done = ENROLMENT_ACTIONS[action]
    try:
        service(enrolment=enrolment, by=request.user)
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, done)
    return redirect(enrolment.cohort)


@role_required("facilitator")
def enrolment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A facilitator withdraws someone's place, with an optional reason only facilitators see."""
    enrolment = selectors.enrolment_for_facilitator(request.user, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_withdraw(enrolment=enrolment, reason=form.cleaned_data["reason"], by=request.user)
        except DomainError as error:
            messages.warning(request, error.message)
        else:
            messages.success(request, _("The place is withdrawn. If someone was waiting, the place is theirs now."))
        return redirect(enrolment.cohort)
    return render(request, "facilitation/enrolment_withdraw.html", {"enrolment": enrolment, "form": form})


@role_required("facilitator")
def session_run(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = selectors.group_session_for_facilitator(request.user, pk)
    context = {
        "group_session": group_session,
        "cohort": group_session.cohort,
        "notes_form": GroupNotesForm(initial={"notes": group_session.group_notes}),
        # "Mark as held" opens when the session starts (the service refuses it before).
        "started": group_session.starts_at <= timezone.now(),
        **selectors.run_session(group_session),
    }
    access_log_record(
        actor=request.user, records=[r.attendance for r in context["rows"] if r.attendance], subject_attr="participant"
    )
    return render(request, "facilitation/session_run.html", context)


@role_required("facilitator")
@require_POST
def attendance_mark(request: HttpRequest, pk: int, participant_id: int) -> HttpResponse:
    group_session = selectors.group_session_for_facilitator(request.user, pk)
    participant = selectors.participant_in_session(group_session, participant_id)
    error_message = ""
    attendance = None
    try:
        attendance = session_services.attendance_record(
            group_session=group_session, participant=participant, status=request.POST.get("status", ""), by=request.user
        )
    except DomainError as error:
        error_message = error.message
    if request.htmx:
        if attendance is None:
            attendance = Attendance.objects.filter(group_session=group_session, participant=participant).first()
        row = selectors.RegisterRow(participant=participant, attendance=attendance)
        return render(
            request,
            "facilitation/partials/register_row.html",
            {"row": row, "group_session": group_session, "statuses": Attendance.Status.choices, "error": error_message},
        )
    if error_message:
        messages.warning(request, error_message)
    return redirect("facilitation:session_run", pk=group_session.pk)


@role_required("facilitator")
@require_POST
def session_notes(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = selectors.group_session_for_facilitator(request.user, pk)
    form = GroupNotesForm(request.POST)
    if form.is_valid():
        session_services.group_notes_update(
            group_session=group_session, notes=form.cleaned_data["notes"], by=request.user
        )
        messages.success(request, _("Group notes saved."))
    else:
        messages.warning(request, _("Keep group notes under 2,000 characters: themes, not a transcript."))
    return redirect("facilitation:session_run", pk=group_session.pk)


@role_required("facilitator")
@require_POST
def session_hold(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = selectors.group_session_for_facilitator(request.user, pk)
    try:
        services.group_session_hold(group_session=group_session, by=request.user)
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, _("Marked as held. This week's materials are now open to the group."))
    return redirect("facilitation:session_run", pk=group_session.pk)


@role_required("facilitator")
def session_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = selectors.group_session_for_facilitator(request.user, pk)
    initial = {"local_date": group_session.local_date}
    if request.GET.get("keep") == "planned":
        initial = {"local_date": group_session.planned_date, "reason": _("Kept on its planned date")}
    form = RescheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.group_session_reschedule(
                group_session=group_session,
                local_date=data["local_date"],
                start_time=data["start_time"],
                reason=data["reason"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The session moved and the group has been told."))
            return redirect(group_session.cohort)
    return render(
        request, "facilitation/session_change.html", {"group_session": group_session, "form": form, "action": "move"}
    )


@role_required("facilitator")
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = selectors.group_session_for_facilitator(request.user, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_session_cancel(
                group_session=group_session, reason=form.cleaned_data["reason"], by=request.user
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The session is cancelled and the group has been told."))
            return redirect(group_session.cohort)
    return render(
        request, "facilitation/session_change.html", {"group_session": group_session, "form": form, "action": "cancel"}
    )


@role_required("manager")
def manager_home(request: HttpRequest) -> HttpResponse:
    """The line manager's home: requests for protected time waiting for them (own staff and delegated)."""
    return _protected_time_inbox(request)


@role_required("service_lead")
def lead_home(request: HttpRequest) -> HttpResponse:
    return render(request, "facilitation/lead_home.html", selectors.lead_home())


# --- Protected time ---------------------------------------------------------


def _manager_ids_or_403(request: HttpRequest) -> list[int]:
    """Managers the signed-in person may decide for; 403 for someone who is neither manager nor deputy."""
    manager_ids = selectors.protected_time_manager_ids_for(request.user)
    if not manager_ids:
        raise PermissionDenied
    return manager_ids


def _protected_time_inbox(request: HttpRequest) -> HttpResponse:
    manager_ids = _manager_ids_or_403(request)
    pending = selectors.protected_time_requests_to_decide(user=request.user, manager_ids=manager_ids)
    delegations = (
        list(
            ProtectedTimeDelegation.objects.filter(
                manager=request.user, revoked_at__isnull=True, ends_on__gte=timezone.localdate()
            ).select_related("deputy")
        )
        if request.user.is_manager
        else []
    )
    return render(
        request,
        "facilitation/manager_home.html",
        {
            "pending": pending,
            "delegations": delegations,
            "deciding_for_others": [pk for pk in manager_ids if pk != request.user.pk],
            "buffer_minutes": settings.STEADY_PROTECTED_TIME_BUFFER_MINUTES,
        },
    )


@login_required
def protected_time_inbox(request: HttpRequest) -> HttpResponse:
    """The same list for a deputy who is not a line manager themselves."""
    return _protected_time_inbox(request)


def _show_error(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message)


def _attempt(request: HttpRequest, action: Callable[[], object], *, success: str) -> None:
    """Call a service; say it worked, or show the domain error's message (the service changed nothing)."""
    try:
        action()
    except DomainError as error:
        _show_error(request, error)
    else:
        messages.success(request, success)


@login_required
def protected_time_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """One request, session by session: approve some or all, decline with a reason, comment."""
    pt_request = selectors.protected_time_request_for_decider(user=request.user, pk=pk)
    pending_lines = [line for line in pt_request.lines.all() if line.decision == ProtectedTimeLine.Decision.PENDING]
    # Every line is a valid choice, so a session decided a moment ago by someone else gets the service's message.
    choices = [(line.pk, str(line.pk)) for line in pt_request.lines.all()]
    form = forms.ProtectedTimeDecisionForm(request.POST or None, line_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        line_ids = None if data["action"] == "approve_all" else data["lines"]
        try:
            if data["action"] in ("approve", "approve_all"):
                services.protected_time_approve(
                    request=pt_request,
                    actor=request.user,
                    line_ids=line_ids,
                    comment=data["comment"],
                    expected_version=data["version"],
                )
                messages.success(request, _("Approved. Thank you."))
            else:
                services.protected_time_decline(
                    request=pt_request,
                    actor=request.user,
                    reason=data["reason"],
                    line_ids=line_ids,
                    expected_version=data["version"],
                )
                messages.success(request, _("Declined. Your colleague will see your reason."))
        except DomainError as error:
            _show_error(request, error)
        return redirect("facilitation:protected_time_decide", pk=pt_request.pk)
    return render(
        request,
        "facilitation/protectedtimerequest_decide.html",
        {
            "pt_request": pt_request,
            "form": form,
            "pending_lines": pending_lines,
            "events": selectors.protected_time_request_events(request=pt_request),
            "comment_form": forms.ProtectedTimeCommentForm(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def protected_time_comment(request: HttpRequest, pk: int) -> HttpResponse:
    pt_request = selectors.protected_time_request_for_decider(user=request.user, pk=pk)
    form = forms.ProtectedTimeCommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment first."))
    else:
        try:
            services.protected_time_comment(
                request=pt_request, actor=request.user, comment=form.cleaned_data["comment"]
            )
            messages.success(request, _("Comment added."))
        except DomainError as error:
            _show_error(request, error)
    return redirect("facilitation:protected_time_decide", pk=pt_request.pk)


@login_required
@require_POST
def protected_time_bulk_approve(request: HttpRequest) -> HttpResponse:
    manager_ids = _manager_ids_or_403(request)
    waiting = {r.pk: r for r in selectors.protected_time_requests_to_decide(user=request.user, manager_ids=manager_ids)}
    form = forms.ProtectedTimeBulkApproveForm(request.POST, request_choices=[(pk, str(pk)) for pk in waiting])
    if not form.is_valid():
        messages.error(request, _("Tick at least one request that is still waiting, then approve."))
    else:
        try:
            done = services.protected_time_bulk_approve(
                requests=[waiting[pk] for pk in form.cleaned_data["requests"]], actor=request.user
            )
            messages.success(request, _("Approved %(count)d requests. Thank you.") % {"count": len(done)})
        except DomainError as error:
            _show_error(request, error)
    return redirect("facilitation:protected_time_inbox")


@login_required
def protected_time_history(request: HttpRequest) -> HttpResponse:
    manager_ids = _manager_ids_or_403(request)
    events = selectors.protected_time_history_for(user=request.user, manager_ids=manager_ids)
    return render(request, "facilitation/protectedtimerequest_history.html", {"events": events})


@role_required("manager")
def protected_time_calendar(request: HttpRequest) -> HttpResponse:
    """An .ics of the approved times of the manager's staff, for the rota.

    Each event says only "protected time", as a shared rota shows annual leave: not
    the group, not even its neutral label. Times are the cohort's local times.
    """
    import zoneinfo

    from icalendar import Calendar, Event

    from sessions.calendar import calendar_add_timezones

    calendar = Calendar()
    calendar.add("prodid", "-//Steady//Protected time//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Staff protected time"))
    stamp = timezone.now()
    for line in selectors.protected_time_approved_lines_for(user=request.user):
        enrolment = line.request.enrolment
        tz = zoneinfo.ZoneInfo(enrolment.cohort.time_zone)
        event = Event()
        event.add("uid", f"protected-time-{line.pk}@steady")
        event.add("dtstamp", stamp)
        event.add("sequence", line.group_session.sequence)
        event.add("summary", _("%(name)s: protected time") % {"name": enrolment.participant.full_name})
        event.add("dtstart", (line.ends_at - timedelta(minutes=line.minutes)).astimezone(tz))
        event.add("dtend", line.ends_at.astimezone(tz))
        event.add(
            "description",
            _("Approved protected time away from duties: %(hours)s hours, including travel and settling.")
            % {"hours": line.hours},
        )
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    calendar_add_timezones(calendar)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="staff-protected-time.ics"'
    return response


@role_required("manager")
def protected_time_delegations(request: HttpRequest) -> HttpResponse:
    form = forms.ProtectedTimeDelegationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.protected_time_delegation_create(
                manager=request.user, deputy=data["deputy_email"], starts_on=data["starts_on"], ends_on=data["ends_on"]
            )
            messages.success(request, _("Your deputy can now decide requests for those dates."))
            return redirect("facilitation:protected_time_delegations")
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    delegations = ProtectedTimeDelegation.objects.filter(manager=request.user).select_related("deputy")[:50]
    return render(
        request,
        "facilitation/protectedtimedelegation_list.html",
        {"form": form, "delegations": delegations, "today": timezone.localdate()},
        status=400 if request.method == "POST" else 200,
    )


@role_required("manager")
@require_POST
def protected_time_delegation_end(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = get_object_or_404(ProtectedTimeDelegation, pk=pk, manager=request.user)
    try:
        services.protected_time_delegation_revoke(delegation=delegation, actor=request.user)
        messages.success(request, _("The deputy can no longer decide for you."))
    except DomainError as error:
        _show_error(request, error)
    return redirect("facilitation:protected_time_delegations")


@role_required("participant")
def protected_time_participant(request: HttpRequest, pk: int) -> HttpResponse:
    """The participant's own request: review and send the draft, see each session's status."""
    pt_request = selectors.protected_time_request_for_participant(user=request.user, pk=pk)
    return render(
        request,
        "facilitation/protectedtimerequest_participant.html",
        {
            "pt_request": pt_request,
            "events": selectors.protected_time_request_events(request=pt_request),
            "buffer_minutes": settings.STEADY_PROTECTED_TIME_BUFFER_MINUTES,
        },
    )


@role_required("participant")
@require_POST
def protected_time_participant_submit(request: HttpRequest, pk: int) -> HttpResponse:
    pt_request = selectors.protected_time_request_for_participant(user=request.user, pk=pk)
    _attempt(
        request,
        lambda: services.protected_time_submit(request=pt_request, actor=request.user),
        success=_("Sent to your line manager. You will hear when they answer."),
    )
    return redirect("facilitation:protected_time_participant", pk=pt_request.pk)


@role_required("participant")
@require_POST
def protected_time_participant_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    pt_request = selectors.protected_time_request_for_participant(user=request.user, pk=pk)
    _attempt(
        request,
        lambda: services.protected_time_withdraw(request=pt_request, actor=request.user),
        success=_("Your request was withdrawn."),
    )
    return redirect("facilitation:protected_time_participant", pk=pt_request.pk)


@role_required("facilitator")
def protected_time_matrix(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.protected_time_cohort_for_facilitator(user=request.user, pk=pk)
    return render(request, "facilitation/protectedtime_matrix.html", selectors.protected_time_matrix(cohort=cohort))


@role_required("facilitator")
@require_POST
def protected_time_facilitator_submit(request: HttpRequest, pk: int) -> HttpResponse:
    pt_request = selectors.protected_time_request_for_facilitator(user=request.user, pk=pk)
    _attempt(
        request,
        lambda: services.protected_time_submit(request=pt_request, actor=request.user),
        success=_("Sent to the line manager on the participant's behalf."),
    )
    return redirect("facilitation:protected_time_matrix", pk=pt_request.enrolment.cohort_id)


@role_required("facilitator")
def protected_time_record_external(request: HttpRequest, pk: int) -> HttpResponse:
    pt_request = selectors.protected_time_request_for_facilitator(user=request.user, pk=pk)
    form = forms.ProtectedTimeExternalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.protected_time_record_external(
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
