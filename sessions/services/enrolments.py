"""Writes for places: acknowledging the pack, confirming, the waitlist, withdrawing, reminder choices."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from core import page_cache
from core.errors import Conflict, DomainError, NotAllowed
from core.services import audit_change_record
from programmes.models import InformationPack
from reminders.services.scheduling import notify_now, reminder_schedule, reminders_cancel
from sessions.listeners import emit
from sessions.models import (
    Cohort,
    Enrolment,
)
from sessions.selectors.checkins import pre_group_checkin_outstanding
from sessions.selectors.joining import cohort_join_closed
from sessions.selectors.places import cohort_pack_current
from sessions.services.boosters import booster_reminders_schedule
from sessions.services.joining import join_checks, waitlist_closed_notify
from sessions.services.session_reminders import session_reminders_cancel_for, session_reminders_schedule


class CohortFull(Conflict):
    """Every place of the cohort is taken."""


@transaction.atomic
def enrolment_acknowledge(*, enrolment: Enrolment, pack: InformationPack, by: User) -> Enrolment:
    """Record that the participant read this version of the information pack."""
    enrolment = Enrolment.objects.select_for_update().select_related("cohort").get(pk=enrolment.pk)
    if enrolment.participant_id != by.pk:
        raise NotAllowed(_("Only the invited person can acknowledge the information pack."))
    if pack.programme_id != enrolment.cohort.programme_id:
        raise DomainError(_("This information pack belongs to another programme."))
    if enrolment.status not in Enrolment.ACTIVE_STATUSES:
        raise NotAllowed(_("This place is no longer open, so there is nothing to acknowledge."))
    enrolment.pack_acknowledged = pack
    enrolment.acknowledged_at = timezone.now()
    fields = ["pack_acknowledged", "acknowledged_at", "updated_at"]
    if enrolment.status == Enrolment.Status.INVITED:
        enrolment.status = Enrolment.Status.ACKNOWLEDGED
        fields.append("status")
    enrolment.save(update_fields=fields)
    reminders_cancel(subject=enrolment, kinds=["pack_not_acknowledged"])
    audit_change_record(actor=by, record=enrolment, action="acknowledged", subject=enrolment.participant_id)
    page_cache.bump(page_cache.person(enrolment.participant_id), page_cache.cohort(enrolment.cohort_id))
    return enrolment


def _take_place(*, enrolment: Enrolment, cohort: Cohort, by: User | None) -> None:
    """Give the enrolment the lowest free place number, or raise CohortFull.

    The service keeps place numbers within 1..capacity; the database's unique
    (cohort, place_number) settles a race: the loser's insert fails, it looks
    again and finds no free place.
    """
    for _attempt in range(cohort.capacity + 1):
        taken = set(
            Enrolment.objects.filter(cohort=cohort, place_number__isnull=False).values_list("place_number", flat=True)
        )
        free = [number for number in range(1, cohort.capacity + 1) if number not in taken]
        if not free or len(taken) >= cohort.capacity:
            break
        try:
            with transaction.atomic():
                Enrolment.objects.filter(pk=enrolment.pk).update(
                    status=Enrolment.Status.ENROLLED,
                    place_number=free[0],
                    confirmed_at=timezone.now(),
                    confirmed_by=by,
                    updated_at=timezone.now(),
                )
        except IntegrityError:
            continue
        enrolment.refresh_from_db()
        return
    raise CohortFull(
        ngettext(
            "This cohort is full: its one place is taken. Put this person on the waitlist instead.",
            "This cohort is full: all %(capacity)d places are taken. Put this person on the waitlist instead.",
            cohort.capacity,
        )
        % {"capacity": cohort.capacity}
    )


@transaction.atomic
def enrolment_confirm(*, enrolment: Enrolment, by: User | None, reason: str = "") -> Enrolment:
    """Confirm a place for someone who acknowledged the information pack.

    A closed group, or someone close at work already in it, stops the confirmation unless a
    facilitator gave (now or at the invitation) a reason to go ahead.
    """
    enrolment = Enrolment.objects.select_for_update().select_related("cohort", "participant").get(pk=enrolment.pk)
    cohort = enrolment.cohort
    if enrolment.status == Enrolment.Status.ENROLLED:
        return enrolment
    if enrolment.status not in (Enrolment.Status.ACKNOWLEDGED, Enrolment.Status.WAITLISTED) or (
        enrolment.pack_acknowledged_id is None
    ):
        raise NotAllowed(
            _("%(name)s has not acknowledged the information pack yet, so the place cannot be confirmed.")
            % {"name": enrolment.participant.first_name}
        )
    pack = cohort_pack_current(cohort=cohort)
    if pack is not None and enrolment.pack_acknowledged_id != pack.pk:
        raise NotAllowed(
            _(
                "%(name)s acknowledged an earlier version of the information pack. "
                "Ask them to read version %(version)d first."
            )
            % {"name": enrolment.participant.first_name, "version": pack.version}
        )
    if cohort.status not in Cohort.OPEN_STATUSES:
        raise NotAllowed(
            _("This cohort is %(status)s, so no places can be confirmed.") % {"status": cohort.get_status_display()}
        )
    if pre_group_checkin_outstanding(enrolment=enrolment):
        raise NotAllowed(
            _(
                "This programme asks for a pre-group check-in before a place is confirmed, "
                "and %(name)s has not had one yet. Book one first."
            )
            % {"name": enrolment.participant.first_name}
        )
    join_checks(
        cohort=cohort,
        email=enrolment.participant.email,
        person=enrolment.participant,
        enrolment=enrolment,
        reason=reason,
        by=by,
    )
    _take_place(enrolment=enrolment, cohort=cohort, by=by)
    reminders_cancel(subject=enrolment, kinds=["waitlist_closed"])
    session_reminders_schedule(enrolment=enrolment)
    booster_reminders_schedule(cohort=cohort)
    emit("place_confirmed", enrolment=enrolment, by=by)
    audit_change_record(actor=by, record=enrolment, action="confirmed", subject=enrolment.participant_id)
    page_cache.bump(page_cache.person(enrolment.participant_id), page_cache.cohort(enrolment.cohort_id))
    return enrolment


@transaction.atomic
def enrolment_waitlist(*, enrolment: Enrolment, by: User) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update().select_related("cohort__programme", "participant").get(pk=enrolment.pk)
    )
    if enrolment.status != Enrolment.Status.ACKNOWLEDGED:
        raise NotAllowed(_("Only someone who acknowledged the information pack can join the waitlist."))
    enrolment.status = Enrolment.Status.WAITLISTED
    enrolment.waitlisted_at = timezone.now()
    enrolment.save(update_fields=["status", "waitlisted_at", "updated_at"])
    if cohort_join_closed(cohort=enrolment.cohort):
        waitlist_closed_notify(cohort=enrolment.cohort, enrolments=[enrolment])
    audit_change_record(actor=by, record=enrolment, action="waitlisted", subject=enrolment.participant_id)
    page_cache.bump(page_cache.person(enrolment.participant_id), page_cache.cohort(enrolment.cohort_id))
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, reason: str, by: User) -> Enrolment:
    """Withdraw a place (by the participant or a facilitator); a freed place goes to the first waitlisted.

    Listeners hear ``place_withdrawn`` (protected time withdraws the request).
    """
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("cohort__programme", "participant")
        .get(pk=enrolment.pk)
    )
    if enrolment.status not in Enrolment.ACTIVE_STATUSES:
        raise NotAllowed(_("This place has already ended."))
    held_place = enrolment.place_number is not None
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.place_number = None
    enrolment.withdrawn_at = timezone.now()
    enrolment.withdrawn_by = by
    enrolment.withdrawal_reason = reason.strip()
    enrolment.save(
        update_fields=["status", "place_number", "withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"]
    )
    reminders_cancel(subject=enrolment)
    _tell_facilitators_of_withdrawal(enrolment=enrolment, by=by)
    audit_change_record(actor=by, record=enrolment, action="withdrawn", subject=enrolment.participant_id)
    emit("place_withdrawn", enrolment=enrolment, by=by)
    session_reminders_cancel_for(enrolment=enrolment)
    if held_place:
        waitlist_promote(cohort=enrolment.cohort, by=by)
    booster_reminders_schedule(cohort=enrolment.cohort)
    page_cache.bump(page_cache.person(enrolment.participant_id), page_cache.cohort(enrolment.cohort_id))
    return enrolment


def _tell_facilitators_of_withdrawal(*, enrolment: Enrolment, by: User) -> None:
    """At once, in the app and by email (a neutral subject), to each of the cohort's other facilitators."""
    cohort = enrolment.cohort
    context = {
        "first_name": enrolment.participant.first_name,
        "label": cohort.programme.neutral_label,
        "region": cohort.holiday_region,
    }
    for facilitator in cohort.facilitators.filter(is_active=True).exclude(pk=by.pk):
        notify_now(kind="place_withdrawn_notice", recipient=facilitator, subject=enrolment, context=context)


@transaction.atomic
def waitlist_promote(*, cohort: Cohort, by: User | None) -> Enrolment | None:
    """Offer a free place to the first person on the waitlist; return their enrolment, or None.

    A group closed to newcomers promotes no one (the waitlist was told a later group will be offered);
    someone with a safeness conflict and no recorded reason is passed over for the next person.
    """
    if cohort_join_closed(cohort=cohort):
        return None
    waiting = (
        Enrolment.objects.select_for_update()
        .filter(cohort=cohort, status=Enrolment.Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")
    )
    for candidate in waiting:
        try:
            with transaction.atomic():
                first = enrolment_confirm(enrolment=candidate, by=by)
        except CohortFull:
            return None
        except NotAllowed:
            continue  # e.g. they read an older pack: the next person is offered the place
        break
    else:
        return None
    reminder_schedule(kind="place_offered", recipient=first.participant, subject=first, due_at=timezone.now())
    return first


@transaction.atomic
def enrolment_hour_reminder_set(*, enrolment: Enrolment, on: bool, by: User) -> Enrolment:
    if enrolment.participant_id != by.pk:
        raise NotAllowed(_("Only the participant can change their own reminders."))
    enrolment.remind_hour_before = on
    enrolment.save(update_fields=["remind_hour_before", "updated_at"])
    if on and enrolment.status == Enrolment.Status.ENROLLED:
        session_reminders_schedule(enrolment=enrolment)
    elif not on:
        session_reminders_cancel_for(enrolment=enrolment, kinds=["session_in_an_hour"])
    page_cache.bump(page_cache.person(enrolment.participant_id), page_cache.cohort(enrolment.cohort_id))
    return enrolment
