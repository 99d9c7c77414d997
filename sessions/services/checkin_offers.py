"""Writes for check-in offers after a heavy session: a facilitator offers, the participant takes it up."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import page_cache
from core.errors import DomainError, NotAllowed
from core.services import audit_change_record
from reminders.services.scheduling import notify_now
from sessions.models import CheckinOffer, Enrolment, GroupSession
from sessions.rules import is_cohort_facilitator


@transaction.atomic
def checkin_offers_make(*, group_session: GroupSession, participants: Sequence[User], by: User) -> list[CheckinOffer]:
    """Offer each participant a one-to-one check-in after ``group_session``; each hears privately, once.

    Someone already offered after this session is not offered twice. Returns the new offers.
    """
    group_session = GroupSession.objects.select_related("cohort").get(pk=group_session.pk)
    cohort = group_session.cohort
    if not is_cohort_facilitator(by, cohort):
        raise NotAllowed(_("Only a facilitator of this group can offer its check-ins."))
    if group_session.starts_at > timezone.now():
        raise NotAllowed(_("Offer check-ins once the session has started."))
    if not participants:
        raise DomainError(_("Tick at least one person to offer a check-in to."), field="participants")
    in_group = set(
        Enrolment.objects.filter(
            cohort=cohort, participant__in=participants, status__in=Enrolment.PLACE_STATUSES
        ).values_list("participant_id", flat=True)
    )
    if any(person.pk not in in_group for person in participants):
        raise NotAllowed(_("Check-ins can only be offered to people with a place in this group."))
    made = []
    for person in participants:
        offer, created = CheckinOffer.objects.get_or_create(
            group_session=group_session, participant=person, defaults={"cohort": cohort, "offered_by": by}
        )
        if created:
            notify_now(kind="checkin_offered", recipient=person, subject=offer)
            audit_change_record(actor=by, record=offer, action="offered", subject=person)
            made.append(offer)
    page_cache.bump(*(page_cache.person(offer.participant_id) for offer in made), page_cache.cohort(cohort.pk))
    return made


@transaction.atomic
def checkin_offer_accept(*, offer: CheckinOffer, by: User) -> CheckinOffer:
    """The participant takes up the offer (one tap); the booking page follows."""
    offer = CheckinOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.participant_id != by.pk:
        raise NotAllowed(_("Only the person offered the check-in can take it up."))
    if offer.accepted_at is None:
        offer.accepted_at = timezone.now()
        offer.save(update_fields=["accepted_at"])
        audit_change_record(actor=by, record=offer, action="accepted", subject=offer.participant_id)
    page_cache.bump(page_cache.person(offer.participant_id), page_cache.cohort(offer.cohort_id))
    return offer
