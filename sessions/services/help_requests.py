"""Writes for "I'd like to talk" requests: asking the group's facilitators, handling a request, and its ladder.

A request is answered within the service's working days (``respond_by``). Left
open, it climbs the "help_request" escalation ladder (core.escalation): at
``respond_by`` the cohort's facilitators are alerted again, one working day
later the service leads, who see it on their home page until it is handled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import page_cache
from core.errors import DomainError, NotAllowed
from core.services import audit_change_record
from core.working_days import add_working_days
from reminders.services.scheduling import notify_now
from sessions.models import Cohort, Enrolment, HelpRequest
from sessions.rules import is_cohort_facilitator
from sessions.scheduling import local_when
from sessions.services.checkins import people_lock

HELP_LADDER = "help_request"
STEP_FACILITATORS = "facilitators"
STEP_SERVICE_LEAD = "service_lead"


class HelpWindowClosed(NotAllowed):
    """The person left the group longer ago than the service keeps offering to talk."""


def help_request_allowed_q(*, now: datetime) -> Q:
    """Enrolments whose holder may ask to talk: joining, in, finished, or left within the window."""
    window = timedelta(weeks=settings.STEADY_HELP_AFTER_LEAVING_WEEKS)
    return Q(status__in=Enrolment.CHECKIN_STATUSES) | Q(
        status=Enrolment.Status.WITHDRAWN, withdrawn_at__gte=now - window
    )


def help_request_respond_by(*, cohort: Cohort, asked_at: datetime) -> datetime:
    return add_working_days(
        instant=asked_at,
        days=settings.STEADY_HELP_RESPONSE_WORKING_DAYS,
        region=cohort.holiday_region,
        time_zone=cohort.time_zone,
    )


def _help_context(request: HelpRequest) -> dict:
    cohort = request.cohort
    return {
        "first_name": request.participant.first_name,
        "label": cohort.programme.neutral_label,
        "region": cohort.holiday_region,
    }


@transaction.atomic
def help_request_create(*, participant, cohort: Cohort, message: str = "") -> HelpRequest:
    """Ask the cohort's facilitators for a word: an urgent reminder to each, due now.

    Anyone with a place (joining, in the group, finished) may ask, and a
    person who left may ask for ``STEADY_HELP_AFTER_LEAVING_WEEKS`` after
    leaving; later, ``HelpWindowClosed`` (the page shows the crisis contacts).
    The reminder engine is woken when the transaction commits, so the email and
    the in-app notice reach the facilitators within a minute (the next beat at
    the latest, even if the broker is down). An open request is reused, so
    asking twice does not alert everyone twice.
    """
    now = timezone.now()
    enrolment = Enrolment.objects.filter(cohort=cohort, participant=participant).first()
    if enrolment is None:
        raise NotAllowed(_("Only members of this group can ask its facilitators to talk."))
    if not Enrolment.objects.filter(help_request_allowed_q(now=now), pk=enrolment.pk).exists():
        raise HelpWindowClosed(
            _(
                "It has been a while since you left this group, so its facilitators can no longer take requests "
                "here. You are not on your own: the people below are there to talk to, right now."
            )
        )
    people_lock(participant)
    existing = HelpRequest.objects.filter(
        cohort=cohort, participant=participant, status=HelpRequest.Status.OPEN
    ).first()
    if existing is not None:
        return existing
    request = HelpRequest.objects.create(
        cohort=cohort,
        participant=participant,
        message=message.strip(),
        respond_by=help_request_respond_by(cohort=cohort, asked_at=now),
    )
    for facilitator in cohort.facilitators.filter(is_active=True):
        notify_now(kind="help_requested", recipient=facilitator, subject=request, context=_help_context(request))
    audit_change_record(actor=participant, record=request, action="created", subject=participant)
    page_cache.bump(page_cache.person(request.participant_id), page_cache.cohort(request.cohort_id))
    return request


def _close(request: HelpRequest, *, actor, note: str) -> None:
    request.status = HelpRequest.Status.HANDLED
    request.handled_at = timezone.now()
    request.handled_by = actor
    request.handled_note = note
    request.save(update_fields=["status", "handled_at", "handled_by", "handled_note"])
    page_cache.bump(page_cache.person(request.participant_id), page_cache.cohort(request.cohort_id))
    audit_change_record(actor=actor, record=request, action="handled", subject=request.participant_id)


@transaction.atomic
def help_request_handle(*, actor, help_request: HelpRequest, note: str) -> HelpRequest:
    """Record what a facilitator of the cohort did; the request is handled and leaves every home page."""
    request = HelpRequest.objects.select_for_update().select_related("cohort").get(pk=help_request.pk)
    if not is_cohort_facilitator(actor, request.cohort):
        raise NotAllowed(_("Only a facilitator of this group can handle the request."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Write a line on what you did (for example: called, we agreed to meet)."), field="note")
    if request.status == HelpRequest.Status.HANDLED:
        return request
    _close(request, actor=actor, note=note)
    return request


def help_request_close_by_booking(*, actor, help_request: HelpRequest, checkin) -> None:
    """A facilitator booked a check-in from the request: it is handled (call inside the booking's transaction)."""
    request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if request.status != HelpRequest.Status.OPEN:
        return
    when = local_when(checkin.starts_at, checkin.time_zone)
    _close(request, actor=actor, note=_("Check-in booked for %(when)s.") % {"when": when})


# --- The escalation ladder (registered in sessions/escalation_ladders.py) ---


def help_request_step_due_at(*, request: HelpRequest, step: str) -> datetime:
    """When ``step`` falls due: the response deadline, then one working day later."""
    if step == STEP_FACILITATORS:
        return request.respond_by
    cohort = request.cohort
    return add_working_days(
        instant=request.respond_by, days=1, region=cohort.holiday_region, time_zone=cohort.time_zone
    )


def help_request_step_claim(request_id: int, step: str, now: datetime) -> int | None:
    """Lock the request; cycle 0 if ``step`` is due now (still open, deadline passed), else None."""
    request = (
        HelpRequest.objects.select_for_update(of=("self",))
        .select_related("cohort")
        .filter(pk=request_id, status=HelpRequest.Status.OPEN)
        .first()
    )
    if request is None or request.respond_by is None:
        return None
    return 0 if now >= help_request_step_due_at(request=request, step=step) else None


def help_request_step_act(request_id: int, step: str, cycle: int, now: datetime) -> None:
    """Alert the cohort's facilitators (first step) or the service leads (second step); neutral subjects."""
    request = HelpRequest.objects.select_related("cohort__programme", "participant").get(pk=request_id)
    context = _help_context(request)
    if step == STEP_FACILITATORS:
        recipients = list(request.cohort.facilitators.filter(is_active=True))
        kind = "help_request_overdue"
    else:
        recipients = list(User.objects.filter(is_service_lead=True, is_active=True))
        kind = "help_request_escalated"
        context = {**context, "cohort_name": request.cohort.name, "audience": "service_lead"}
    for person in recipients:
        notify_now(kind=kind, recipient=person, subject=request, occurrence=f"{step}-{cycle}", context=context)
