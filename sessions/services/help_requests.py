"""Writes for "I'd like to talk" requests: asking the group's facilitators, and marking a request handled."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotAllowed
from core.services import audit_change_record
from reminders.services.scheduling import notify_now
from sessions.models import (
    Cohort,
    Enrolment,
    HelpRequest,
)
from sessions.rules import is_cohort_facilitator
from sessions.services.checkins import people_lock


@transaction.atomic
def help_request_create(*, participant, cohort: Cohort, message: str = "") -> HelpRequest:
    """Ask the cohort's facilitators for a word: an urgent reminder to each, due now.

    The reminder engine is woken when the transaction commits, so the email and
    the in-app notice reach the facilitators within a minute (the next beat at
    the latest, even if the broker is down). An open request is reused, so
    asking twice does not alert everyone twice.
    """
    if not Enrolment.objects.filter(
        cohort=cohort, participant=participant, status__in=Enrolment.PLACE_STATUSES
    ).exists():
        raise NotAllowed(_("Only members of this group can ask its facilitators to talk."))
    people_lock(participant)
    existing = HelpRequest.objects.filter(
        cohort=cohort, participant=participant, status=HelpRequest.Status.OPEN
    ).first()
    if existing is not None:
        return existing
    request = HelpRequest.objects.create(cohort=cohort, participant=participant, message=message.strip())
    for facilitator in cohort.facilitators.all():
        notify_now(
            kind="help_requested",
            recipient=facilitator,
            subject=request,
            context={"first_name": participant.first_name, "label": cohort.programme.neutral_label},
        )
    audit_change_record(actor=participant, record=request, action="created", subject=participant)
    return request


@transaction.atomic
def help_request_handle(*, actor, help_request: HelpRequest) -> HelpRequest:
    """Mark the request handled (a facilitator of the cohort); it leaves the facilitators' home pages."""
    request = HelpRequest.objects.select_for_update().select_related("cohort").get(pk=help_request.pk)
    if not is_cohort_facilitator(actor, request.cohort):
        raise NotAllowed(_("Only a facilitator of this group can handle the request."))
    if request.status == HelpRequest.Status.HANDLED:
        return request
    request.status = HelpRequest.Status.HANDLED
    request.handled_at = timezone.now()
    request.handled_by = actor
    request.save(update_fields=["status", "handled_at", "handled_by"])
    audit_change_record(actor=actor, record=request, action="handled", subject=request.participant_id)
    return request
