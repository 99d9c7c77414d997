"""Access selectors: each takes the user and returns the object, or raises Http404 when it is not theirs.

Each decides through a named predicate: ``sessions.rules.is_cohort_facilitator`` / ``is_cohort_participant``
(the facts fetched with the object by ``cohort_access_annotations``, so no query more), ``accounts.rules``'
``is_the_person`` for a participant's own records and ``is_service_lead`` for the lead's view. Lists of
several cohorts stay scoped querysets (``cohort_facilitator_q``, ``cohort_participant_q``: the mirrors).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.rules import is_facilitator, is_service_lead, is_the_person
from core.services import access_log_record
from programmes.models import Material
from sessions.models import (
    CheckIn,
    Cohort,
    Enrolment,
    GroupSession,
    HelpRequest,
)
from sessions.rules import (
    cohort_access_annotations,
    cohort_access_remember,
    cohort_facilitator_q,
    is_cohort_facilitator,
    is_cohort_participant,
)
from sessions.selectors.checkins import checkin_cohorts_for_participant, cohorts_with_facilitator_ids
from sessions.selectors.places import participant_groups, participant_left_groups


def _with_cohort_facts(queryset: QuerySet, *, user: User, cohort_ref: str) -> QuerySet:
    return queryset.annotate(**cohort_access_annotations(user, cohort_ref))


def _decided(row: Model | None, *, cohort: Callable[[Model], Cohort], user: User, rule: Callable) -> Model:
    """``row`` if ``rule(user, its cohort)`` holds (reading the facts fetched with it); else 404."""
    if row is None:
        raise Http404
    cohort_access_remember(row=row, cohort=cohort(row), user=user)
    if not rule(user, cohort(row)):
        raise Http404
    return row


def cohort_get_for_facilitator(*, user: User, pk: int) -> Cohort:
    """A cohort ``user`` facilitates (``is_cohort_facilitator``); else 404."""
    row = _with_cohort_facts(Cohort.objects.select_related("programme"), user=user, cohort_ref="pk").filter(pk=pk)
    return _decided(row.first(), cohort=lambda c: c, user=user, rule=is_cohort_facilitator)


def cohort_get_for_lead(*, user: User, pk: int) -> Cohort:
    """Any cohort, for a service lead (who oversees them all), with places filled; else 404."""
    if not is_service_lead(user):
        raise Http404
    from_all = Cohort.objects.select_related("programme").annotate(
        places_filled=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.PLACE_STATUSES), distinct=True),
        waitlist_length=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED), distinct=True),
    )
    return get_object_or_404(from_all, pk=pk)


def group_session_get_for_facilitator(*, user: User, pk: int) -> GroupSession:
    """A session of a cohort ``user`` facilitates (``is_cohort_facilitator``); else 404."""
    sessions = GroupSession.objects.select_related("cohort__programme", "session_plan")
    row = _with_cohort_facts(sessions, user=user, cohort_ref="cohort_id").filter(pk=pk).first()
    return _decided(row, cohort=lambda s: s.cohort, user=user, rule=is_cohort_facilitator)


def enrolment_get_for_facilitator(*, user: User, pk: int) -> Enrolment:
    """A place in a cohort ``user`` facilitates (``is_cohort_facilitator``); else 404."""
    places = Enrolment.objects.select_related("cohort", "participant")
    row = _with_cohort_facts(places, user=user, cohort_ref="cohort_id").filter(pk=pk).first()
    return _decided(row, cohort=lambda e: e.cohort, user=user, rule=is_cohort_facilitator)


def enrolment_get_for_participant(*, user: User, pk: int) -> Enrolment:
    """The participant's own place (``is_the_person``); else 404."""
    place = Enrolment.objects.select_related("cohort__programme").filter(pk=pk).first()
    if place is None or not is_the_person(user, place.participant_id):
        raise Http404
    return place


def group_session_get_for_member(*, user: User, pk: int) -> GroupSession:
    """A session the user facilitates, or one of a cohort where they hold (or held) a place."""
    sessions = GroupSession.objects.select_related("cohort__programme", "session_plan")
    row = _with_cohort_facts(sessions, user=user, cohort_ref="cohort_id").filter(pk=pk).first()
    return _decided(row, cohort=lambda s: s.cohort, user=user, rule=is_cohort_facilitator | is_cohort_participant)


def participant_get_in_session(*, group_session: GroupSession, pk: int) -> User:
    """The participant, if they hold a place in the session's cohort (else 404).

    The scoped mirror of ``is_cohort_participant(participant, cohort)``: the place is fetched with the person.
    """
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
    checkins = CheckIn.objects.select_related("cohort", "participant", "facilitator", "cohort__programme")
    row = _with_cohort_facts(checkins, user=user, cohort_ref="cohort_id").filter(pk=pk).first()
    checkin = _decided(row, cohort=lambda c: c.cohort, user=user, rule=is_facilitator & is_cohort_facilitator)
    access_log_record(actor=user, records=[checkin], subject_attr="participant")
    return checkin


def checkin_get_for_participant(*, user, pk: int) -> CheckIn:
    """Return the participant's own check-in (the view shows only the shared summary); else 404."""
    checkin = CheckIn.objects.select_related("cohort", "facilitator").filter(pk=pk).first()
    if checkin is None or not is_the_person(user, checkin.participant_id):
        raise Http404
    return checkin


def help_request_get_for_facilitator(*, user, pk: int) -> HelpRequest:
    """A request to talk in a cohort ``user`` facilitates (``is_cohort_facilitator``); else 404."""
    requests = HelpRequest.objects.select_related("participant", "cohort")
    row = _with_cohort_facts(requests, user=user, cohort_ref="cohort_id").filter(pk=pk).first()
    return _decided(row, cohort=lambda r: r.cohort, user=user, rule=is_cohort_facilitator)


def participant_get_for_facilitator(*, user, pk: int):
    """Return (participant, the cohorts ``user`` facilitates that they are in, or asked to talk in); else 404.

    A scoped queryset (the mirror of ``is_cohort_facilitator``, ``cohort_facilitator_q``) over the cohorts.
    """
    # A person who left may still be booked in answer to their open request to talk.
    cohorts = cohorts_with_facilitator_ids(
        cohorts=Cohort.objects.filter(cohort_facilitator_q(user))
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
    """The participant's own check-in (``is_the_person``) that is still booked (to move it); else 404."""
    checkin = get_object_or_404(CheckIn.objects.select_related("cohort"), pk=pk, status=CheckIn.Status.BOOKED)
    if not is_the_person(user, checkin.participant_id):
        raise Http404
    return checkin


def checkin_get_for_member(*, user: User, pk: int) -> CheckIn:
    """A check-in of ``user`` as its participant or as a facilitator of its cohort; else 404."""
    checkin = get_object_or_404(CheckIn.objects.select_related("cohort__programme"), pk=pk)
    if not is_the_person(user, checkin.participant_id) and not is_cohort_facilitator(user, checkin.cohort):
        raise Http404
    return checkin


def checkin_cohort_get_for_participant(*, user: User, pk: int) -> Cohort:
    """One of the cohorts where ``user`` may book check-ins or ask to talk; else 404."""
    cohort = checkin_cohorts_for_participant(user=user).filter(pk=pk).first()
    if cohort is None:
        raise Http404
    return cohort
