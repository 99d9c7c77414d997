"""Check-in pages: availability, booking, the check-in record, "I'd like to talk"."""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from core.errors import DomainError
from core.forms import form_add_domain_error
from core.links import role_home_url_name
from core.selectors import crisis_contacts_for
from sessions.calendar import calendar_build
from sessions.forms import (
    AvailabilitySlotForm,
    AvailabilityWindowForm,
    BlockedDateForm,
    CheckinBookForm,
    CheckinPlaceForm,
    CheckinRecordForm,
    HelpRequestForm,
    HelpRequestHandleForm,
)
from sessions.models import CheckIn
from sessions.scheduling import utc_to_local
from sessions.selectors import checkins as checkin_selectors
from sessions.selectors.access import (
    checkin_get_booked_for_participant,
    checkin_get_for_facilitator,
    checkin_get_for_member,
    checkin_get_for_participant,
    help_request_get_for_facilitator,
    participant_get_for_facilitator,
)
from sessions.selectors.checkin_offers import checkin_offer_get_for_participant
from sessions.selectors.cohorts import attach_progress, checkin_kind_for
from sessions.selectors.cover import cover_warnings
from sessions.selectors.help_requests import (
    help_cohort_get_for_participant,
    help_request_get_for_participant,
    participant_help_panel,
)
from sessions.services import checkins as checkin_services
from sessions.services import help_requests as help_request_services
from sessions.services.checkin_offers import checkin_offer_accept
from sessions.views.cohorts import cover_message

CHECKIN_WEEKS_DEFAULT, CHECKIN_WEEKS_MAX = 2, 12


def _weeks(request: HttpRequest) -> int:
    try:
        weeks = int(request.GET.get("weeks", CHECKIN_WEEKS_DEFAULT))
    except ValueError:
        weeks = CHECKIN_WEEKS_DEFAULT
    return max(1, min(weeks, CHECKIN_WEEKS_MAX))


def _slot_days(slots, time_zone: str) -> list[tuple]:
    """Group free slots by the local date the viewer sees."""
    return [
        (day, list(day_slots))
        for day, day_slots in groupby(slots, key=lambda slot: utc_to_local(slot.starts_at, time_zone).date())
    ]


def _range(user, weeks: int):
    today = timezone.localtime(timezone.now(), user.tzinfo).date()
    return today, today + timedelta(weeks=weeks) - timedelta(days=1)


@role_required("facilitator")
def availability(request: HttpRequest) -> HttpResponse:
    """The facilitator's windows, one-off slots, blocked dates and the free slots they give (constant queries)."""
    user = request.user
    weeks = _weeks(request)
    first, last = _range(user, weeks)
    slots = checkin_selectors.free_slots(facilitator_ids=[user.pk], first=first, last=last)
    context = {
        "weeks": weeks,
        **checkin_selectors.availability_for_facilitator(user=user, first=first),
        "slot_days": _slot_days(slots, user.time_zone),
        "slot_count": len(slots),
        "participants": checkin_selectors.participants_for_facilitator(user=user, query=request.GET.get("q", "")),
        "participant_names": checkin_selectors.participants_for_facilitator(user=user),
        "query": request.GET.get("q", ""),
        "window_form": AvailabilityWindowForm(initial={"valid_from": first}),
        "slot_form": AvailabilitySlotForm(),
        "blocked_form": BlockedDateForm(),
    }
    return render(request, "sessions/checkins/availability.html", context)


@role_required("facilitator")
@require_POST
def availability_add(request: HttpRequest, kind: str) -> HttpResponse:
    form_class = {
        "window": AvailabilityWindowForm,
        "slot": AvailabilitySlotForm,
        "blocked": BlockedDateForm,
    }.get(kind)
    if form_class is None:
        raise Http404
    form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "window":
                checkin_services.availability_window_add(facilitator=request.user, **data)
            elif kind == "slot":
                checkin_services.availability_slot_add(facilitator=request.user, **data)
            else:
                checkin_services.blocked_date_add(facilitator=request.user, **data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your availability is updated."))
            if kind == "blocked":
                cover_message(request, cover_warnings(facilitator=request.user))
            return redirect("sessions:availability")
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect("sessions:availability")


@role_required("facilitator")
@require_POST
def availability_remove(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    try:
        checkin_services.availability_remove(facilitator=request.user, kind=kind, pk=pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Removed."))
    return redirect("sessions:availability")


# Check-ins shown per page in the facilitator's list (upcoming: the next this many).
CHECKINS_PER_PAGE = 20


def _book(
    request: HttpRequest, *, participant, facilitator_ids: list[int], cohorts, viewer, template: str, moving=None
):
    weeks = _weeks(request)
    first, last = _range(viewer, weeks)
    slots = checkin_selectors.free_slots(
        facilitator_ids=facilitator_ids, first=first, last=last, exclude_participant_id=participant.pk
    )
    kind = request.GET.get("kind")
    if kind not in CheckIn.Kind.values:
        # The purpose that fits where the person's group is (before, around the middle, at the end, whenever).
        attach_progress(cohorts=cohorts, now=timezone.now())
        kind = checkin_kind_for(cohort=cohorts[0]) if cohorts else CheckIn.Kind.ON_REQUEST
    initial = {"kind": kind}
    form = CheckinBookForm(request.POST or None, slots=slots, initial=initial)
    nearest = []
    if request.method == "POST" and form.is_valid():
        facilitator_id, starts_at = form.cleaned_data["slot"]
        cohort = next((c for c in cohorts if facilitator_id in c.facilitator_ids), None)
        if cohort is None:
            raise Http404
        facilitator = next(f for f in cohort.facilitators.all() if f.pk == facilitator_id)
        try:
            if moving is not None:
                checkin = checkin_services.checkin_rebook(
                    actor=request.user, checkin=moving, facilitator=facilitator, starts_at=starts_at
                )
            else:
                checkin = checkin_services.checkin_book(
                    actor=request.user,
                    participant=participant,
                    facilitator=facilitator,
                    cohort=cohort,
                    kind=form.cleaned_data["kind"],
                    starts_at=starts_at,
                    place=form.cleaned_data["place"],
                    place_detail=form.cleaned_data["place_detail"],
                )
        except checkin_services.SlotTaken as error:
            nearest = error.nearest
            form.add_error("slot", error.message)
        except DomainError as error:
            form_add_domain_error(form=form, error=error)
        else:
            messages.success(request, _("The check-in is booked."))
            return redirect(checkin)
    context = {
        "form": form,
        "participant": participant,
        "weeks": weeks,
        "slot_days": _slot_days(slots, viewer.time_zone),
        "nearest": nearest,
        "moving": moving,
        "facilitators": {f.pk: f for c in cohorts for f in c.facilitators.all()},
    }
    return render(request, template, context)


@role_required("participant")
def checkin_book(request: HttpRequest) -> HttpResponse:
    """The participant books a free slot of one of their group's facilitators."""
    cohorts = checkin_selectors.checkin_cohorts_with_facilitators(user=request.user)
    moving = None
    if "move" in request.GET:
        # Moving a booked check-in: the new time replaces it, or nothing changes.
        move = request.GET.get("move", "")
        moving = checkin_get_booked_for_participant(user=request.user, pk=int(move) if move.isdigit() else 0)
        cohorts = [cohort for cohort in cohorts if cohort.pk == moving.cohort_id]
    facilitator_ids = sorted({pk for cohort in cohorts for pk in cohort.facilitator_ids})
    return _book(
        request,
        moving=moving,
        participant=request.user,
        facilitator_ids=facilitator_ids,
        cohorts=cohorts,
        viewer=request.user,
        template="sessions/checkins/book_participant.html",
    )


@role_required("facilitator")
def checkin_book_for(request: HttpRequest, participant_pk: int) -> HttpResponse:
    """A facilitator books one of their own free slots for a participant of a cohort they facilitate."""
    participant, cohorts = participant_get_for_facilitator(user=request.user, pk=participant_pk)
    return _book(
        request,
        participant=participant,
        facilitator_ids=[request.user.pk],
        cohorts=cohorts,
        viewer=request.user,
        template="sessions/checkins/book_facilitator.html",
    )


@role_required("participant", "facilitator")
def checkin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Facilitators of the cohort see and record the private notes (each view logged); the participant the summary."""
    user = request.user
    if checkin_selectors.checkin_is_facilitated_by(user=user, pk=pk):
        checkin = checkin_get_for_facilitator(user=user, pk=pk)
        form = CheckinRecordForm(
            request.POST or None,
            initial={
                "status": checkin.status if checkin.status != CheckIn.Status.CANCELLED else CheckIn.Status.BOOKED,
                "notes": checkin.notes,
                "follow_up_actions": checkin.follow_up_actions,
                "shared_summary": checkin.shared_summary,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                checkin_services.checkin_record(actor=user, checkin=checkin, **form.cleaned_data)
            except DomainError as error:
                form_add_domain_error(form=form, error=error)
            else:
                messages.success(request, _("The check-in record is saved."))
                return redirect(checkin)
        place_form = CheckinPlaceForm(initial={"place": checkin.place, "place_detail": checkin.place_detail})
        return render(
            request,
            "sessions/checkins/detail_facilitator.html",
            {"checkin": checkin, "form": form, "place_form": place_form},
        )
    checkin = checkin_get_for_participant(user=user, pk=pk)
    return render(request, "sessions/checkins/detail_participant.html", {"checkin": checkin})


@role_required("participant", "facilitator")
@require_POST
def checkin_place(request: HttpRequest, pk: int) -> HttpResponse:
    """Change where and how a booked check-in happens (the participant or the cohort's facilitators)."""
    checkin = checkin_get_for_member(user=request.user, pk=pk)
    form = CheckinPlaceForm(request.POST)
    if form.is_valid():
        try:
            checkin_services.checkin_place_set(actor=request.user, checkin=checkin, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved. Calendars and the reminder show the new place."))
    else:
        messages.error(request, _("Choose a room, a phone call or a video call."))
    return redirect(checkin)


@role_required("participant", "facilitator")
def checkin_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One check-in as a calendar file, for either side."""
    checkin = checkin_get_for_member(user=request.user, pk=pk)
    response = HttpResponse(calendar_build([], checkins=[checkin]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{checkin.starts_at:%Y-%m-%d}.ics"'
    return response


@role_required("participant", "facilitator")
def checkin_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first (GET), then cancel (POST) and land on the person's list of check-ins with a message."""
    checkin = checkin_get_for_member(user=request.user, pk=pk)
    if request.method != "POST":
        return render(request, "sessions/checkins/cancel_confirm.html", {"checkin": checkin})
    try:
        checkin = checkin_services.checkin_cancel(actor=request.user, checkin=checkin)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(checkin)
    if checkin.late_cancellation:
        messages.info(request, _("The check-in is cancelled. As it was at short notice, we have noted that."))
    else:
        messages.success(request, _("The check-in is cancelled."))
    if checkin.participant_id == request.user.pk:
        return redirect("sessions:checkin_list")
    return redirect("sessions:checkin_list_facilitator")


@role_required("facilitator")
def checkin_list_facilitator(request: HttpRequest) -> HttpResponse:
    """The facilitator's check-ins: the next ones, then the past ones a page at a time (constant queries)."""
    found = checkin_selectors.checkins_for_facilitator(user=request.user)
    past = Paginator(found["past"], CHECKINS_PER_PAGE).get_page(request.GET.get("page"))
    upcoming = list(found["upcoming"][:CHECKINS_PER_PAGE])
    return render(request, "sessions/checkins/list_facilitator.html", {"upcoming": upcoming, "past": past})


@role_required("participant")
def checkin_offer(request: HttpRequest, pk: int) -> HttpResponse:
    """A private offer of a check-in: one tap takes it up and opens the booking page (the talk kind chosen)."""
    offer = checkin_offer_get_for_participant(user=request.user, pk=pk)
    if request.method == "POST":
        checkin_offer_accept(offer=offer, by=request.user)
        return redirect(f"{reverse('sessions:checkin_book')}?kind={CheckIn.Kind.ON_REQUEST}")
    return render(request, "sessions/checkins/offer.html", {"offer": offer})


@role_required("participant")
def checkin_list(request: HttpRequest) -> HttpResponse:
    checkins = checkin_selectors.checkins_for_participant(user=request.user)
    return render(request, "sessions/checkins/list_participant.html", {"checkins": checkins})


@role_required("participant")
def help_request_create(request: HttpRequest) -> HttpResponse:
    """ "I'd like to talk": choose the group (if several), add a line if wanted; then the confirmation page."""
    help_context = participant_help_panel(user=request.user)
    if request.method != "POST":
        return render(request, "sessions/checkins/help_request_form.html", help_context)
    form = HelpRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Something went wrong with the form; please try again."))
        return redirect("sessions:help_request_create")
    cohort = help_cohort_get_for_participant(user=request.user, pk=form.cleaned_data["cohort"])
    try:
        help_request = help_request_services.help_request_create(
            participant=request.user, cohort=cohort, message=form.cleaned_data["message"]
        )
    except DomainError as error:
        # Refused kindly: the reason, and where to turn right now.
        return render(
            request,
            "sessions/checkins/help_request_refused.html",
            {"message": error.message, "crisis_contacts": crisis_contacts_for(region=cohort.holiday_region)},
        )
    target = form.cleaned_data["next"]
    # Only a path on this site (redirect() would take a bare word for a URL name and fail).
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        messages.success(request, _("Thank you. Your facilitators have been told."))
        return HttpResponseRedirect(target)
    return redirect("sessions:help_request_detail", pk=help_request.pk)


@role_required("participant")
def help_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation: when a facilitator will respond, and the crisis contacts."""
    help_request = help_request_get_for_participant(user=request.user, pk=pk)
    context = {
        "help_request": help_request,
        "crisis_contacts": crisis_contacts_for(region=help_request.cohort.holiday_region),
    }
    return render(request, "sessions/checkins/help_request_detail.html", context)


@role_required("facilitator")
@require_POST
def help_request_handle(request: HttpRequest, pk: int) -> HttpResponse:
    """A facilitator of the cohort records what they did; the request is handled."""
    help_request = help_request_get_for_facilitator(user=request.user, pk=pk)
    form = HelpRequestHandleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["note"][0])
        return redirect(role_home_url_name("facilitator"))
    try:
        help_request_services.help_request_handle(
            actor=request.user, help_request=help_request, note=form.cleaned_data["note"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Recorded. The request is handled."))
    return redirect(role_home_url_name("facilitator"))
