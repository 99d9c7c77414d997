"""Reads for check-in offers: by session (run page), the participant's open ones, those not taken up."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.rules import is_the_person
from core.querysets import rows_with_related_if_any
from sessions.models import CheckIn, CheckinOffer, GroupSession


def checkin_offers_by_participant(*, group_session: GroupSession) -> dict[int, CheckinOffer]:
    """The offers made after this session, by participant id (one query)."""
    return {offer.participant_id: offer for offer in CheckinOffer.objects.filter(group_session=group_session)}


def _booked_since_offer():
    return CheckIn.objects.filter(
        cohort_id=OuterRef("cohort_id"),
        participant_id=OuterRef("participant_id"),
        booked_at__gte=OuterRef("created_at"),
        status__in=CheckIn.ACTIVE,
    )


def checkin_offers_open_for(*, user: User) -> list[CheckinOffer]:
    """The participant's offers not yet taken up (no tap, no check-in booked since), newest first (one query)."""
    return list(
        CheckinOffer.objects.filter(participant=user, accepted_at__isnull=True)
        .annotate(booked=Exists(_booked_since_offer()))
        .filter(booked=False)
        .select_related("offered_by", "cohort__programme")
        .order_by("-created_at")
    )


def checkin_offers_not_taken_up(*, facilitator: User, now: datetime | None = None) -> list[CheckinOffer]:
    """Offers in ``facilitator``'s cohorts not taken up after ``STEADY_CHECKIN_OFFER_FOLLOW_UP_HOURS`` (one query
    when there are none, two when there are some: ``rows_with_related_if_any``)."""
    now = now or timezone.now()
    since = now - timedelta(hours=settings.STEADY_CHECKIN_OFFER_FOLLOW_UP_HOURS)
    return rows_with_related_if_any(
        CheckinOffer.objects.filter(cohort__facilitators=facilitator, accepted_at__isnull=True, created_at__lte=since)
        .annotate(booked=Exists(_booked_since_offer()))
        .filter(booked=False)
        .select_related("participant", "cohort", "group_session__session_plan")
        .order_by("created_at")
    )


def checkin_offer_get_for_participant(*, user: User, pk: int) -> CheckinOffer:
    """The offer if it was made to ``user``; 404 for anyone else (other participants, managers, facilitators)."""
    offer = (
        CheckinOffer.objects.select_related("offered_by", "cohort__programme", "group_session").filter(pk=pk).first()
    )
    if offer is None or not is_the_person(user, offer.participant_id):
        raise Http404
    return offer
