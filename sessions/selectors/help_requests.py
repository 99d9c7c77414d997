"""Reads for "I'd like to talk": who may ask where, the participant's own requests, and the ladder's due steps."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.rules import is_the_person
from core.selectors import crisis_contacts_for, escalation_steps_fired, escalation_subjects_at
from sessions.models import Cohort, Enrolment, HelpRequest
from sessions.services.help_requests import (
    HELP_LADDER,
    STEP_FACILITATORS,
    STEP_SERVICE_LEAD,
    help_request_allowed_q,
    help_request_step_due_at,
)


def help_cohorts_for_participant(*, user: User, now: datetime | None = None) -> list[Cohort]:
    """The cohorts where ``user`` may ask to talk now (one query): any place but one left past the window."""
    now = now or timezone.now()
    enrolments = (
        Enrolment.objects.filter(help_request_allowed_q(now=now), participant=user)
        .select_related("cohort__programme")
        .order_by("-cohort__start_date")
    )
    return [enrolment.cohort for enrolment in enrolments]


def help_cohort_get_for_participant(*, user: User, pk: int) -> Cohort:
    """A cohort where ``user`` has or had a place (the service decides whether they may still ask); else 404."""
    cohort = Cohort.objects.filter(pk=pk, enrolments__participant=user).select_related("programme").first()
    if cohort is None:
        raise Http404
    return cohort


def help_request_get_for_participant(*, user: User, pk: int) -> HelpRequest:
    """The participant's own request to talk (``is_the_person``); else 404."""
    request = HelpRequest.objects.select_related("cohort").filter(pk=pk).first()
    if request is None or not is_the_person(user, request.participant_id):
        raise Http404
    return request


def help_request_open_for(*, enrolment: Enrolment) -> HelpRequest | None:
    """The enrolment holder's request to talk to that cohort's facilitators, if one is open."""
    return HelpRequest.objects.filter(
        cohort_id=enrolment.cohort_id, participant_id=enrolment.participant_id, status=HelpRequest.Status.OPEN
    ).first()


def participant_region(*, user: User) -> str:
    """The bank-holiday region of the person's most recent cohort (for crisis contacts); "" if none."""
    region = (
        Enrolment.objects.filter(participant=user)
        .order_by("-cohort__start_date")
        .values_list("cohort__holiday_region", flat=True)
        .first()
    )
    return region or ""


def participant_help_panel(*, user: User) -> dict:
    """Context for the "I'd like to talk" panel at the top of the participant's home, and its footer (3 queries).

    - ``help_cohorts``: where they may ask now
    - ``open_help_requests``: their requests not yet handled, with ``respond_by``
    - ``crisis_contacts``: for the region of their most recent cohort
    """
    cohorts = help_cohorts_for_participant(user=user)
    region = cohorts[0].holiday_region if cohorts else participant_region(user=user)
    return {
        "help_cohorts": cohorts,
        "open_help_requests": list(
            HelpRequest.objects.filter(participant=user, status=HelpRequest.Status.OPEN).select_related("cohort")
        ),
        "crisis_contacts": crisis_contacts_for(region=region),
    }


def help_request_due_steps(now: datetime) -> list[tuple[int, str]]:
    """(request id, step) pairs of open requests whose ladder step is due and has not fired."""
    open_requests = list(
        HelpRequest.objects.filter(status=HelpRequest.Status.OPEN, respond_by__lte=now).select_related("cohort")
    )
    fired = escalation_steps_fired(ladder=HELP_LADDER, subject_ids=[r.pk for r in open_requests])
    due = []
    for request in open_requests:
        for step in (STEP_FACILITATORS, STEP_SERVICE_LEAD):
            if (request.pk, step, 0) not in fired and now >= help_request_step_due_at(request=request, step=step):
                due.append((request.pk, step))
    return due


def help_requests_escalated_to_lead() -> list[HelpRequest]:
    """Open requests that reached the service lead (one query). Not clinical: no message, no note."""
    return list(
        HelpRequest.objects.filter(
            status=HelpRequest.Status.OPEN,
            pk__in=escalation_subjects_at(ladder=HELP_LADDER, step=STEP_SERVICE_LEAD),
        )
        .select_related("participant", "cohort")
        .order_by("created_at")
    )
