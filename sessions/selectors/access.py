"""Access selectors: each takes the user and returns the object, or raises Http404 when it is not theirs."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from core.services import access_log_record
from programmes.models import Material
from sessions.models import (
    CheckIn,
    Cohort,
    Enrolment,
    GroupSession,
    HelpRequest,
)
from sessions.rules import is_cohort_facilitator
from sessions.selectors.checkins import checkin_cohorts_for_participant, cohorts_with_facilitator_ids
from sessions.selectors.places import participant_groups, participant_left_groups


def cohort_get_for_facilitator(*, user: User, pk: int) -> Cohort:
    return get_object_or_404(Cohort.objects.select_related("programme").filter(facilitators=user).distinct(), pk=pk)


def cohort_get_for_lead(*, user: User, pk: int) -> Cohort:
    """Any cohort, for a service lead (who oversees them all), with places filled; else 404."""
    if not user.is_service_lead:
        raise Http404
    from_all = Cohort.objects.select_related("programme").annotate(
        places_filled=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.PLACE_STATUSES), distinct=True),
        waitlist_length=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED), distinct=True),
    )
    return get_object_or_404(from_all, pk=pk)


def group_session_get_for_facilitator(*, user: User, pk: int) -> GroupSession:
    return get_object_or_404(
        GroupSession.objects.select_related("cohort__programme", "session_plan").filter(cohort__facilitators=user),
        pk=pk,
    )


def enrolment_get_for_facilitator(*, user: User, pk: int) -> Enrolment:
    return get_object_or_404(
        Enrolment.objects.select_related("cohort", "participant").filter(cohort__facilitators=user), pk=pk
    )


def enrolment_get_for_participant(*, user: User, pk: int) -> Enrolment:
    return get_object_or_404(Enrolment.objects.select_related("cohort__programme"), pk=pk, participant=user)


def group_session_get_for_member(*, user: User, pk: int) -> GroupSession:
    """A session the user facilitates, or one of a cohort where they hold (or held) a place."""
    sessions = GroupSession.objects.select_related("cohort__programme", "session_plan")
    member = Q(cohort__facilitators=user) | Q(
        cohort__enrolments__participant=user, cohort__enrolments__status__in=Enrolment.PLACE_STATUSES
    )
    found = sessions.filter(member, pk=pk).first()
    if found is None:
        raise Http404
    return found


def participant_get_in_session(*, group_session: GroupSession, pk: int) -> User:
    """The participant, if they hold a place in the session's cohort (else 404)."""
    enrolment = (
        Enrolment.objects.select_related("participant")
        .filter(cohort_id=group_session.cohort_id, participant_id=pk, status__in=Enrolment.PLACE_STATUSES)
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment.participant


def material_get_for_participant(*, user: User, pk: int) -> Material:
    """A material released to ``user`` in a group they are in, or before they left one; else 404."""
    for group in [*participant_groups(user=user), *participant_left_groups(user=user)]:
        for material in group.materials:
            if material.pk == pk:
                return material
    raise Http404


def checkin_get_for_facilitator(*, user, pk: int) -> CheckIn:
    """Return a check-in with its private notes for a facilitator of its cohort, logging the read; else 404."""
    checkin = (
        CheckIn.objects.select_related("cohort", "participant", "facilitator", "cohort__programme")
        .filter(pk=pk, cohort__facilitators=user)
        .first()
    )
    if checkin is None or not user.is_facilitator:
        raise Http404
    access_log_record(actor=user, records=[checkin], subject_attr="participant")
    return checkin


def checkin_get_for_participant(*, user, pk: int) -> CheckIn:
    """Return the participant's own check-in (the view shows only the shared summary); else 404."""
    checkin = CheckIn.objects.select_related("cohort", "facilitator").filter(pk=pk, participant=user).first()
    if checkin is None:
        raise Http404
    return checkin


def help_request_get_for_facilitator(*, user, pk: int) -> HelpRequest:
    request = (
        HelpRequest.objects.select_related("participant", "cohort").filter(pk=pk, cohort__facilitators=user).first()
    )
    if request is None:
        raise Http404
    return request


def participant_get_for_facilitator(*, user, pk: int):
    """Return (participant, the cohorts ``user`` facilitates that they are in, or asked to talk in); else 404."""
    # A person who left may still be booked in answer to their open request to talk.
    cohorts = cohorts_with_facilitator_ids(
        cohorts=Cohort.objects.filter(facilitators=user)
        .filter(
            Q(enrolments__participant_id=pk, enrolments__status__in=Enrolment.CHECKIN_STATUSES)
            | Q(help_requests__participant_id=pk, help_requests__status=HelpRequest.Status.OPEN)
        )
        .distinct()
    )
    if not cohorts or not user.is_facilitator:
        raise Http404
    participant = get_user_model().objects.get(pk=pk)
    return participant, cohorts


def checkin_get_booked_for_participant(*, user: User, pk: int) -> CheckIn:
    """The participant's own check-in that is still booked (to move it); else 404."""
    return get_object_or_404(
        CheckIn.objects.select_related("cohort"), pk=pk, participant=user, status=CheckIn.Status.BOOKED
    )


def checkin_get_for_member(*, user: User, pk: int) -> CheckIn:
    """A check-in of ``user`` as its participant or as a facilitator of its cohort; else 404."""
    checkin = get_object_or_404(CheckIn.objects.select_related("cohort__programme"), pk=pk)
    if checkin.participant_id != user.pk and not is_cohort_facilitator(user, checkin.cohort):
        raise Http404
    return checkin


def checkin_cohort_get_for_participant(*, user: User, pk: int) -> Cohort:
    """One of the cohorts where ``user`` may book check-ins or ask to talk; else 404."""
    cohort = checkin_cohorts_for_participant(user=user).filter(pk=pk).first()
    if cohort is None:
        raise Http404
    return cohort
