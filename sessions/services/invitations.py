"""Writes for invitations: inviting a person by email, and using a one-time invitation link."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import page_cache
from core.errors import DomainError, NotAllowed
from core.links import absolute_url
from reminders.services.scheduling import notify_now, reminder_schedule
from sessions.models import (
    Cohort,
    Enrolment,
    Invitation,
    PlaceOverride,
)
from sessions.selectors.places import meeting_facts_for
from sessions.services.enrolments import enrolment_withdraw
from sessions.services.joining import join_checks

# The reason recorded when someone declines an invitation with "not for me now".
NOT_FOR_ME_NOW = "Not for me now"


class InvitationUnusable(DomainError):
    """The invitation link is unknown, used or expired."""


def token_hash(*, token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _send_invitation_email(*, email: str, cohort: Cohort, link: str, has_account: bool) -> None:
    context = {
        "label": cohort.programme.neutral_label,
        "link": link,
        "has_account": has_account,
        "facts": meeting_facts_for(cohorts=[cohort])[cohort.pk],
    }
    subject = render_to_string("sessions/email/invitation_subject.txt", context).strip()
    body = render_to_string("sessions/email/invitation.txt", context)
    send_mail(subject, body, None, [email])


@dataclass
class InviteResult:
    enrolment: Enrolment | None = None
    invitation: Invitation | None = None
    # Only for the caller's email; never stored.
    token: str = ""


@transaction.atomic
def enrolment_invite(
    *, cohort: Cohort, email: str, by: User, reason: str = "", send_email: bool = True
) -> InviteResult:
    """Invite a person by email: an account holder gets an enrolment, anyone else a one-use link.

    A closed group, or someone close at work already in it, stops the invitation unless the
    facilitator gives ``reason`` (``sessions.services.joining``).
    """
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    if cohort.status not in Cohort.OPEN_STATUSES:
        raise NotAllowed(
            _("This cohort is %(status)s, so no one can be invited.") % {"status": cohort.get_status_display()}
        )
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is not None:
        existing = Enrolment.objects.filter(cohort=cohort, participant=user).first()
        if existing is not None and existing.status in Enrolment.ACTIVE_STATUSES:
            raise DomainError(
                _("%(email)s is already in this cohort (%(status)s).")
                % {"email": email, "status": existing.get_status_display()},
                field="email",
            )
        join_checks(cohort=cohort, email=email, person=user, enrolment=existing, reason=reason, by=by)
        if existing is not None:
            existing.status = Enrolment.Status.INVITED
            existing.withdrawn_at = None
            existing.withdrawal_reason = ""
            existing.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
            enrolment = existing
        else:
            enrolment = Enrolment.objects.create(cohort=cohort, participant=user, status=Enrolment.Status.INVITED)
        PlaceOverride.objects.filter(cohort=cohort, email=email, enrolment__isnull=True).update(enrolment=enrolment)
        if not user.is_participant:
            user.is_participant = True
            user.save(update_fields=["is_participant"])
        _pack_nudge_schedule(enrolment=enrolment)
        link = absolute_url("sessions:enrolment_pack", pk=enrolment.pk)
        if send_email:
            transaction.on_commit(
                lambda: _send_invitation_email(email=email, cohort=cohort, link=link, has_account=True), robust=True
            )
        page_cache.bump(page_cache.person(enrolment.participant_id), page_cache.cohort(enrolment.cohort_id))
        return InviteResult(enrolment=enrolment)
    pending = Invitation.objects.filter(cohort=cohort, email=email, used_at__isnull=True, expires_at__gt=timezone.now())
    if pending.exists():
        raise DomainError(
            _("%(email)s already has an invitation that has not been used yet.") % {"email": email}, field="email"
        )
    join_checks(cohort=cohort, email=email, person=None, enrolment=None, reason=reason, by=by)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        cohort=cohort,
        email=email,
        token_hash=token_hash(token=token),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.STEADY_INVITATION_DAYS),
    )
    link = absolute_url("sessions:invitation_accept", token=token)
    if send_email:
        # Sent in this process, not through the broker, so the raw token never leaves the email.
        transaction.on_commit(
            lambda: _send_invitation_email(email=email, cohort=cohort, link=link, has_account=False), robust=True
        )
    return InviteResult(invitation=invitation, token=token)


def invitation_check(*, token: str) -> Invitation:
    """Return the usable invitation for ``token`` or raise InvitationUnusable with what to do."""
    invitation = (
        Invitation.objects.select_related("cohort__programme").filter(token_hash=token_hash(token=token)).first()
    )
    if invitation is None:
        raise InvitationUnusable(
            _(
                "This invitation link is not one we know. Check that you copied all of it, "
                "or ask your facilitator for a new one."
            )
        )
    if invitation.used_at is not None:
        raise InvitationUnusable(
            _(
                "This invitation link has already been used. Sign in with the account it created, "
                "or ask your facilitator for a new one."
            )
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable(_("This invitation link has expired. Ask your facilitator to send you a new one."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, first_name: str, last_name: str, password: str) -> Enrolment:
    """Use an invitation once: create the account and an invited enrolment."""
    invitation = invitation_check(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise InvitationUnusable(_("This invitation link has already been used."))
    if User.objects.filter(email=invitation.email).exists():
        raise InvitationUnusable(
            _(
                "An account with this email address already exists. Sign in, "
                "and ask your facilitator to invite that account."
            )
        )
    user = User.objects.create_user(
        invitation.email, password, first_name=first_name, last_name=last_name, is_participant=True
    )
    enrolment = Enrolment.objects.create(cohort=invitation.cohort, participant=user, status=Enrolment.Status.INVITED)
    invitation.used_at = timezone.now()
    invitation.enrolment = enrolment
    invitation.save(update_fields=["used_at", "enrolment"])
    PlaceOverride.objects.filter(cohort=invitation.cohort, email=invitation.email, enrolment__isnull=True).update(
        enrolment=enrolment
    )
    _pack_nudge_schedule(enrolment=enrolment)
    page_cache.bump(page_cache.person(enrolment.participant_id), page_cache.cohort(enrolment.cohort_id))
    return enrolment


def _pack_nudge_schedule(*, enrolment: Enrolment) -> None:
    reminder_schedule(
        kind="pack_not_acknowledged",
        recipient=enrolment.participant,
        subject=enrolment,
        due_at=timezone.now() + settings.STEADY_PACK_NUDGE_AFTER,
    )


def _tell_facilitators_of_a_decline(*, cohort: Cohort, subject, who: str, extra: list[User] = ()) -> None:
    """Tell the cohort's facilitators (and whoever invited) that an invitee said "not for me now"."""
    recipients = {person.pk: person for person in [*cohort.facilitators.all(), *extra]}
    for person in recipients.values():
        notify_now(
            kind="place_declined",
            recipient=person,
            subject=subject,
            occurrence="declined",
            context={
                "who": who,
                "cohort_name": cohort.name,
                "cohort_url": absolute_url("sessions:cohort_detail", pk=cohort.pk),
            },
        )


@transaction.atomic
def enrolment_decline(*, enrolment: Enrolment, by: User) -> Enrolment:
    """An invitee (invited, read or waitlisted) says "not for me now": the place is freed, facilitators told."""
    if enrolment.status not in Enrolment.PENDING_STATUSES:
        raise NotAllowed(_("Your place is already confirmed or has ended; to leave, use “Leave the group”."))
    enrolment = enrolment_withdraw(enrolment=enrolment, reason=NOT_FOR_ME_NOW, by=by)
    _tell_facilitators_of_a_decline(cohort=enrolment.cohort, subject=enrolment, who=enrolment.participant.full_name)
    return enrolment


@transaction.atomic
def invitation_decline(*, token: str) -> Invitation:
    """Someone without an account says "not for me now" on the invitation page.

    The link is used up (no account is made) and the facilitators and whoever invited are told.
    """
    invitation = invitation_check(token=token)
    invitation = Invitation.objects.select_for_update().select_related("cohort", "invited_by").get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise InvitationUnusable(_("This invitation link has already been used."))
    now = timezone.now()
    invitation.used_at = now
    invitation.declined_at = now
    invitation.save(update_fields=["used_at", "declined_at"])
    _tell_facilitators_of_a_decline(
        cohort=invitation.cohort, subject=invitation, who=invitation.email, extra=[invitation.invited_by]
    )
    return invitation
