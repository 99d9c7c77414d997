"""Writes for enrolment, invitations, apologies and telling participants about changed sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, DomainError, NotAllowed
from facilitation.models import Enrolment, Invitation
from programmes.models import InformationPack
from reminders.models import Reminder
from reminders.services import reminder_schedule, reminders_cancel
from sessions import services as session_services
from sessions.models import Attendance, Cohort, GroupSession

ACTIVE_STATUSES = (
    Enrolment.Status.INVITED,
    Enrolment.Status.ACKNOWLEDGED,
    Enrolment.Status.ENROLLED,
    Enrolment.Status.WAITLISTED,
)
PLACE_STATUSES = (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)
INVITING_STATUSES = (Cohort.Status.PLANNING, Cohort.Status.RECRUITING, Cohort.Status.RUNNING)


class CohortFull(Conflict):
    """Every place of the cohort is taken."""


class InvitationUnusable(DomainError):
    """The invitation link is unknown, used or expired."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_pack(cohort: Cohort) -> InformationPack | None:
    """Return the pack invitees read: the newest published version, else the newest."""
    packs = InformationPack.objects.filter(programme_id=cohort.programme_id).order_by("-version")
    return packs.filter(published_at__isnull=False).first() or packs.first()


def _send_invitation_email(*, email: str, cohort: Cohort, link: str, has_account: bool) -> None:
    context = {"label": cohort.programme.neutral_label, "link": link, "has_account": has_account}
    subject = render_to_string("facilitation/email/invitation_subject.txt", context).strip()
    body = render_to_string("facilitation/email/invitation.txt", context)
    send_mail(subject, body, None, [email])


@dataclass
class InviteResult:
    enrolment: Enrolment | None = None
    invitation: Invitation | None = None
    # Only for the caller's email; never stored.
    token: str = ""


@transaction.atomic
def enrolment_invite(*, cohort: Cohort, email: str, by: User, send_email: bool = True) -> InviteResult:
    """Invite a person by email: an account holder gets an enrolment, anyone else a one-use link."""
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    if cohort.status not in INVITING_STATUSES:
        raise NotAllowed(
            _("This cohort is %(status)s, so no one can be invited.") % {"status": cohort.get_status_display()}
        )
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is not None:
        existing = Enrolment.objects.filter(cohort=cohort, participant=user).first()
        if existing is not None and existing.status in ACTIVE_STATUSES:
            raise DomainError(
                _("%(email)s is already in this cohort (%(status)s).")
                % {"email": email, "status": existing.get_status_display()},
                field="email",
            )
        if existing is not None:
            existing.status = Enrolment.Status.INVITED
            existing.withdrawn_at = None
            existing.withdrawal_reason = ""
            existing.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
            enrolment = existing
        else:
            enrolment = Enrolment.objects.create(cohort=cohort, participant=user, status=Enrolment.Status.INVITED)
        if not user.is_participant:
            user.is_participant = True
            user.save(update_fields=["is_participant"])
        _pack_nudge_schedule(enrolment)
        link = settings.STEADY_SITE_URL + reverse("facilitation:enrolment_pack", kwargs={"pk": enrolment.pk})
        if send_email:
            transaction.on_commit(
                lambda: _send_invitation_email(email=email, cohort=cohort, link=link, has_account=True), robust=True
            )
        return InviteResult(enrolment=enrolment)
    pending = Invitation.objects.filter(cohort=cohort, email=email, used_at__isnull=True, expires_at__gt=timezone.now())
    if pending.exists():
        raise DomainError(
            _("%(email)s already has an invitation that has not been used yet.") % {"email": email}, field="email"
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        cohort=cohort,
        email=email,
        token_hash=token_hash(token),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.STEADY_INVITATION_DAYS),
    )
    link = settings.STEADY_SITE_URL + reverse("facilitation:invitation_accept", kwargs={"token": token})
    if send_email:
        # Sent in this process, not through the broker, so the raw token never leaves the email.
        transaction.on_commit(
            lambda: _send_invitation_email(email=email, cohort=cohort, link=link, has_account=False), robust=True
        )
    return InviteResult(invitation=invitation, token=token)


def invitation_check(*, token: str) -> Invitation:
    """Return the usable invitation for ``token`` or raise InvitationUnusable with what to do."""
    invitation = Invitation.objects.select_related("cohort__programme").filter(token_hash=token_hash(token)).first()
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
    _pack_nudge_schedule(enrolment)
    return enrolment


def _pack_nudge_schedule(enrolment: Enrolment) -> None:
    reminder_schedule(
        kind="pack_not_acknowledged",
        recipient=enrolment.participant,
        subject=enrolment,
        due_at=timezone.now() + settings.STEADY_PACK_NUDGE_AFTER,
    )


@transaction.atomic
def enrolment_acknowledge(*, enrolment: Enrolment, pack: InformationPack, by: User) -> Enrolment:
    """Record that the participant read this version of the information pack."""
    enrolment = Enrolment.objects.select_for_update().select_related("cohort").get(pk=enrolment.pk)
    if enrolment.participant_id != by.pk:
        raise NotAllowed(_("Only the invited person can acknowledge the information pack."))
    if pack.programme_id != enrolment.cohort.programme_id:
        raise DomainError(_("This information pack belongs to another programme."))
    if enrolment.status not in ACTIVE_STATUSES:
        raise NotAllowed(_("This place is no longer open, so there is nothing to acknowledge."))
    enrolment.pack_acknowledged = pack
    enrolment.acknowledged_at = timezone.now()
    fields = ["pack_acknowledged", "acknowledged_at", "updated_at"]
    if enrolment.status == Enrolment.Status.INVITED:
        enrolment.status = Enrolment.Status.ACKNOWLEDGED
        fields.append("status")
    enrolment.save(update_fields=fields)
    reminders_cancel(subject=enrolment, kinds=["pack_not_acknowledged"])
    return enrolment


def _take_place(enrolment: Enrolment, cohort: Cohort, *, by: User | None) -> None:
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
        _("This cohort is full: all %(capacity)d places are taken. Put this person on the waitlist instead.")
        % {"capacity": cohort.capacity}
    )


@transaction.atomic
def enrolment_confirm(*, enrolment: Enrolment, by: User | None) -> Enrolment:
    """Confirm a place for someone who acknowledged the information pack."""
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
    pack = current_pack(cohort)
    if pack is not None and enrolment.pack_acknowledged_id != pack.pk:
        raise NotAllowed(
            _(
                "%(name)s acknowledged an earlier version of the information pack. "
                "Ask them to read version %(version)d first."
            )
            % {"name": enrolment.participant.first_name, "version": pack.version}
        )
    if cohort.status not in INVITING_STATUSES:
        raise NotAllowed(
            _("This cohort is %(status)s, so no places can be confirmed.") % {"status": cohort.get_status_display()}
        )
    _take_place(enrolment, cohort, by=by)
    session_reminders_schedule(enrolment=enrolment)
    # Integration point: protected time drafts its request here.
    return enrolment


@transaction.atomic
def enrolment_waitlist(*, enrolment: Enrolment, by: User) -> Enrolment:
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.ACKNOWLEDGED:
        raise NotAllowed(_("Only someone who acknowledged the information pack can join the waitlist."))
    enrolment.status = Enrolment.Status.WAITLISTED
    enrolment.waitlisted_at = timezone.now()
    enrolment.save(update_fields=["status", "waitlisted_at", "updated_at"])
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, reason: str, by: User) -> Enrolment:
    """Withdraw a place (by the participant or a facilitator); a freed place goes to the first waitlisted."""
    enrolment = Enrolment.objects.select_for_update().select_related("cohort").get(pk=enrolment.pk)
    if enrolment.status not in ACTIVE_STATUSES:
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
    session_ids = [str(pk) for pk in GroupSession.objects.filter(cohort=enrolment.cohort).values_list("pk", flat=True)]
    Reminder.objects.filter(
        recipient=enrolment.participant_id,
        subject_type=GroupSession._meta.label_lower,
        subject_id__in=session_ids,
        status=Reminder.Status.PENDING,
    ).update(status=Reminder.Status.CANCELLED)
    if held_place:
        waitlist_promote(cohort=enrolment.cohort, by=by)
    return enrolment


@transaction.atomic
def waitlist_promote(*, cohort: Cohort, by: User | None) -> Enrolment | None:
    """Offer a free place to the first person on the waitlist; return their enrolment, or None."""
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
def enrolments_complete(*, cohort: Cohort, by: User | None) -> int:
    """End the cohort: every enrolled place becomes completed; return how many."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.status not in (Cohort.Status.RUNNING, Cohort.Status.COMPLETED):
        raise NotAllowed(_("Only a running cohort can be completed."))
    count = Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.ENROLLED).update(
        status=Enrolment.Status.COMPLETED, updated_at=timezone.now()
    )
    if cohort.status != Cohort.Status.COMPLETED:
        cohort.status = Cohort.Status.COMPLETED
        cohort.save(update_fields=["status", "updated_at"])
    return count


@transaction.atomic
def cohort_update(
    *,
    cohort: Cohort,
    name: str,
    venue: str,
    video_link: str,
    capacity: int,
    facilitators: list[User],
    by: User,
) -> Cohort:
    """Change a cohort's name, place, size or facilitators; calendars see the new place."""
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    if cohort.status in (Cohort.Status.COMPLETED, Cohort.Status.CANCELLED):
        raise NotAllowed(_("A completed or cancelled cohort cannot be changed."))
    if not 1 <= len(facilitators) <= 3:
        raise DomainError(_("Choose one, two or three facilitators."), field="facilitators")
    if capacity > cohort.programme.max_capacity:
        raise DomainError(
            _("This programme allows at most %(max)d places. Enter %(max)d or fewer.")
            % {"max": cohort.programme.max_capacity},
            field="capacity",
        )
    taken = Enrolment.objects.filter(cohort=cohort, place_number__isnull=False).count()
    if capacity < taken:
        raise DomainError(
            _("%(taken)d places are already confirmed. Enter %(taken)d or more, or withdraw a place first.")
            % {"taken": taken},
            field="capacity",
        )
    if video_link and not video_link.startswith("https://"):
        raise DomainError(_("Use a secure video link that starts with https://."), field="video_link")
    if not venue and not video_link:
        raise DomainError(_("Enter a venue, a video link, or both, so people know where to go."), field="venue")
    where_changed = (venue, video_link) != (cohort.venue, cohort.video_link)
    grew = capacity > cohort.capacity
    cohort.name, cohort.venue, cohort.video_link, cohort.capacity = name, venue, video_link, capacity
    cohort.save(update_fields=["name", "venue", "video_link", "capacity", "updated_at"])
    cohort.facilitators.set(facilitators)
    if where_changed:
        # The calendar LOCATION changed: raise SEQUENCE so calendar apps take the new version.
        GroupSession.objects.filter(
            cohort=cohort, status=GroupSession.Status.SCHEDULED, starts_at__gt=timezone.now()
        ).update(sequence=F("sequence") + 1, updated_at=timezone.now())
    if grew:
        for _place in range(capacity - taken):
            if waitlist_promote(cohort=cohort, by=by) is None:
                break
    return cohort


def cohorts_due_for_completion() -> list[int]:
    """Running cohorts whose every weekly session is held, cancelled or in the past."""
    now = timezone.now()
    running = Cohort.objects.filter(status=Cohort.Status.RUNNING)
    open_sessions = GroupSession.objects.filter(
        kind=GroupSession.Kind.WEEKLY, status=GroupSession.Status.SCHEDULED, ends_at__gt=now
    )
    return list(running.exclude(pk__in=open_sessions.values("cohort_id")).values_list("pk", flat=True))


def session_reminders_schedule(*, enrolment: Enrolment) -> int:
    """Write the lead-time reminders for each upcoming session of the enrolment's cohort."""
    now = timezone.now()
    leads = settings.STEADY_REMINDER_LEAD_TIMES
    kinds = ["session_tomorrow"] + (["session_in_an_hour"] if enrolment.remind_hour_before else [])
    written = 0
    upcoming = GroupSession.objects.filter(
        cohort_id=enrolment.cohort_id, status=GroupSession.Status.SCHEDULED, starts_at__gt=now
    )
    for group_session in upcoming:
        for kind in kinds:
            due = group_session.starts_at - leads[kind]
            if due > now:
                reminder_schedule(kind=kind, recipient=enrolment.participant, subject=group_session, due_at=due)
                written += 1
    return written


@transaction.atomic
def enrolment_hour_reminder_set(*, enrolment: Enrolment, on: bool, by: User) -> Enrolment:
    if enrolment.participant_id != by.pk:
        raise NotAllowed(_("Only the participant can change their own reminders."))
    enrolment.remind_hour_before = on
    enrolment.save(update_fields=["remind_hour_before", "updated_at"])
    if on and enrolment.status == Enrolment.Status.ENROLLED:
        session_reminders_schedule(enrolment=enrolment)
    elif not on:
        ids = [
            str(pk) for pk in GroupSession.objects.filter(cohort_id=enrolment.cohort_id).values_list("pk", flat=True)
        ]
        Reminder.objects.filter(
            kind="session_in_an_hour",
            recipient=by,
            subject_type=GroupSession._meta.label_lower,
            subject_id__in=ids,
            status=Reminder.Status.PENDING,
        ).update(status=Reminder.Status.CANCELLED)
    return enrolment


def _session_changed_notify(group_session: GroupSession) -> int:
    """Tell every enrolled participant at once (urgent reminder, one per change)."""
    now = timezone.now()
    participants = User.objects.filter(
        enrolments__cohort_id=group_session.cohort_id, enrolments__status=Enrolment.Status.ENROLLED
    )
    count = 0
    for participant in participants:
        reminder_schedule(
            kind="session_changed",
            recipient=participant,
            subject=group_session,
            due_at=now,
            occurrence=f"sequence-{group_session.sequence}",
        )
        count += 1
    return count


@transaction.atomic
def group_session_reschedule(
    *, group_session: GroupSession, local_date: date, start_time: time | None = None, reason: str, by: User
) -> GroupSession:
    """Move one session (or put a moved one back), and tell the participants."""
    group_session = session_services.group_session_move(
        group_session=group_session, local_date=local_date, start_time=start_time, reason=reason, by=by
    )
    _session_changed_notify(group_session)
    # Integration point: protected time re-asks for changed sessions here.
    return group_session


@transaction.atomic
def group_session_cancel(*, group_session: GroupSession, reason: str, by: User) -> GroupSession:
    """Cancel one session with a reason, and tell the participants."""
    group_session = session_services.group_session_cancel(group_session=group_session, reason=reason, by=by)
    _session_changed_notify(group_session)
    # Integration point: protected time re-asks for changed sessions here.
    return group_session


@transaction.atomic
def apologies_send(*, group_session: GroupSession, participant: User, note: str = "") -> Attendance:
    """The participant can't make a session: record their apologies for the facilitators."""
    enrolled = Enrolment.objects.filter(
        cohort_id=group_session.cohort_id, participant=participant, status=Enrolment.Status.ENROLLED
    ).exists()
    if not enrolled:
        raise NotAllowed(_("You do not have a place in this group."))
    if group_session.status != GroupSession.Status.SCHEDULED or group_session.ends_at <= timezone.now():
        raise NotAllowed(_("This session is not coming up, so there is nothing to send apologies for."))
    return session_services.attendance_record(
        group_session=group_session,
        participant=participant,
        status=Attendance.Status.APOLOGIES,
        by=participant,
        note=note[:300],
    )
