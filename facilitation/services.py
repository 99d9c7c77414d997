"""Writes for enrolment, invitations, apologies and telling participants about changed sessions."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from core.errors import Conflict, DomainError, NotAllowed
from core.services import people_relation_changes_record
from facilitation.models import (
    Enrolment,
    Invitation,
    ProtectedTimeDelegation,
    ProtectedTimeEscalation,
    ProtectedTimeEvent,
    ProtectedTimeLine,
    ProtectedTimeRequest,
)
from facilitation.selectors import (
    add_working_days,
    pre_group_checkin_outstanding,
    protected_time_managers_with_pending,
)
from programmes.models import InformationPack
from reminders.models import Reminder
from reminders.services import reminder_schedule, reminders_cancel
from sessions import services as session_services
from sessions.models import Attendance, Cohort, GroupSession
from sessions.scheduling import FOLLOWS_EARLIER_MOVE, blocked_reason

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
        ngettext(
            "This cohort is full: its one place is taken. Put this person on the waitlist instead.",
            "This cohort is full: all %(capacity)d places are taken. Put this person on the waitlist instead.",
            cohort.capacity,
        )
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
    if pre_group_checkin_outstanding(enrolment):
        raise NotAllowed(
            _(
                "This programme asks for a pre-group check-in before a place is confirmed, "
                "and %(name)s has not had one yet. Book one first."
            )
            % {"name": enrolment.participant.first_name}
        )
    _take_place(enrolment, cohort, by=by)
    session_reminders_schedule(enrolment=enrolment)
    session_services.booster_reminders_schedule(cohort=cohort)
    protected_time_request_draft(enrolment=enrolment, actor=by)
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
    request = ProtectedTimeRequest.objects.filter(enrolment=enrolment).exclude(status=PT.Status.WITHDRAWN).first()
    if request is not None:
        protected_time_withdraw(request=request, actor=by, on_behalf=True)
    session_ids = [str(pk) for pk in GroupSession.objects.filter(cohort=enrolment.cohort).values_list("pk", flat=True)]
    Reminder.objects.filter(
        recipient=enrolment.participant_id,
        subject_type=GroupSession._meta.label_lower,
        subject_id__in=session_ids,
        status=Reminder.Status.PENDING,
    ).update(status=Reminder.Status.CANCELLED)
    if held_place:
        waitlist_promote(cohort=enrolment.cohort, by=by)
    session_services.booster_reminders_schedule(cohort=enrolment.cohort)
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
    session_services.booster_reminders_schedule(cohort=cohort)
    return count


@transaction.atomic
def cohort_cancel(*, cohort: Cohort, by: User) -> Cohort:
    """Cancel the whole cohort: its sessions, each person's protected-time request, and tell the group once.

    The notice is the ``session_changed`` one for the next session ("will not take place: the group was
    cancelled"), so each participant hears once, not once per remaining session.
    """
    now = timezone.now()
    next_session = (
        GroupSession.objects.filter(cohort=cohort, status=GroupSession.Status.SCHEDULED, ends_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    cohort = session_services.cohort_status_set(cohort=cohort, status=Cohort.Status.CANCELLED, by=by)
    if next_session is not None:
        next_session.refresh_from_db()
        _session_changed_notify(next_session)
    open_requests = PT.objects.filter(enrolment__cohort=cohort).exclude(status=PT.Status.WITHDRAWN).order_by("pk")
    for request in open_requests:
        protected_time_withdraw(request=request, actor=by, on_behalf=True)
    return cohort


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
    before = list(cohort.facilitators.all())
    cohort.facilitators.set(facilitators)
    people_relation_changes_record(actor=by, record=cohort, relation="facilitators", before=before, after=facilitators)
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


@transaction.atomic
def cohort_status_change(*, cohort: Cohort, status: str, by: User) -> Cohort:
    """Change the cohort's status; cancelling goes through ``cohort_cancel`` (sessions, requests, notice)."""
    if status == Cohort.Status.CANCELLED:
        return cohort_cancel(cohort=cohort, by=by)
    return session_services.cohort_status_set(cohort=cohort, status=status, by=by)


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
    """Move one session (or put a moved one back), tell the participants, and re-ask for their time."""
    old_starts_at = group_session.starts_at
    group_session = session_services.group_session_move(
        group_session=group_session, local_date=local_date, start_time=start_time, reason=reason, by=by
    )
    _session_changed_notify(group_session)
    protected_time_sessions_changed(group_session=group_session, old_starts_at=old_starts_at)
    if group_session.local_date == group_session.planned_date and start_time is None:
        _knock_on_moves_undo(group_session, by=by)
    return group_session


def _knock_on_moves_undo(group_session: GroupSession, *, by: User) -> None:
    """A week kept on its planned date: the weeks that only moved to make room for it go back too.

    They go back in order while each one's planned date is free (not a bank holiday,
    closure or another session's date, and not in the past); each is a change the group is told about.
    """
    if group_session.kind != GroupSession.Kind.WEEKLY:
        return
    cohort = group_session.cohort
    followers = GroupSession.objects.filter(
        cohort=cohort,
        kind=GroupSession.Kind.WEEKLY,
        status=GroupSession.Status.SCHEDULED,
        number__gt=group_session.number,
    ).order_by("number")
    closures = session_services.closures_by_date()
    for follower in followers:
        if follower.moved_reason != FOLLOWS_EARLIER_MOVE or follower.local_date == follower.planned_date:
            break
        target = follower.planned_date
        taken = (
            GroupSession.objects.filter(cohort=cohort, local_date=target)
            .exclude(status=GroupSession.Status.CANCELLED)
            .exists()
        )
        blocked = blocked_reason(target, region=cohort.holiday_region, closures=closures)
        if taken or blocked or target < timezone.localdate():
            break
        old_starts_at = follower.starts_at
        follower = session_services.group_session_move(group_session=follower, local_date=target, reason="", by=by)
        _session_changed_notify(follower)
        protected_time_sessions_changed(group_session=follower, old_starts_at=old_starts_at)


@transaction.atomic
def group_session_cancel(*, group_session: GroupSession, reason: str, by: User) -> GroupSession:
    """Cancel one session with a reason, and tell the participants."""
    old_starts_at = group_session.starts_at
    group_session = session_services.group_session_cancel(group_session=group_session, reason=reason, by=by)
    _session_changed_notify(group_session)
    protected_time_sessions_changed(group_session=group_session, old_starts_at=old_starts_at)
    return group_session


@transaction.atomic
def group_session_hold(*, group_session: GroupSession, by: User) -> GroupSession:
    """Mark a session as held; after the last weekly one, settle the boosters and ask for their time."""
    group_session = session_services.group_session_hold(group_session=group_session, by=by)
    if session_services.is_last_weekly_session(group_session):
        for booster in session_services.boosters_schedule(cohort=group_session.cohort):
            protected_time_sessions_changed(group_session=booster)
        protected_time_add_sessions(cohort=group_session.cohort)
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


# --- Protected time ---------------------------------------------------------
# Every change to a request goes through these functions. Each locks the
# request row (PostgreSQL) and writes it with a conditional update on
# ``version``, so two people deciding at the same moment get one decision and
# one clear message, on SQLite as well.

PT = ProtectedTimeRequest
Line = ProtectedTimeLine
Event = ProtectedTimeEvent

KIND_SUBMITTED = "protected_time_submitted"
KIND_DECIDED = "protected_time_decided"
KIND_MANAGER_REMINDER = "protected_time_manager_reminder"
KIND_ESCALATION = "protected_time_escalation"
KIND_FIRST_SESSION_ALERT = "protected_time_first_session_alert"
KIND_DIGEST = "protected_time_manager_digest"
MANAGER_WAITING_KINDS = [KIND_SUBMITTED, KIND_MANAGER_REMINDER]


def _line_label(session: GroupSession) -> str:
    if session.kind == GroupSession.Kind.BOOSTER:
        return _("Booster %(number)s") % {"number": session.number}
    return _("Week %(number)s") % {"number": session.number}


def _minutes_for(session: GroupSession) -> int:
    length = int((session.ends_at - session.starts_at).total_seconds() // 60)
    return length + settings.STEADY_PROTECTED_TIME_BUFFER_MINUTES


def _status_from(decisions: Iterable[str]) -> str:
    decisions = list(decisions)
    if not decisions or Line.Decision.PENDING in decisions:
        return PT.Status.SUBMITTED
    if all(d == Line.Decision.APPROVED for d in decisions):
        return PT.Status.APPROVED
    if all(d == Line.Decision.DECLINED for d in decisions):
        return PT.Status.DECLINED
    return PT.Status.PARTLY_APPROVED


def _lock(request: PT) -> PT:
    """Return a fresh copy of ``request``, row-locked until the transaction ends."""
    locked = PT.objects.select_for_update().get(pk=request.pk)
    locked.enrolment = Enrolment.objects.select_related("participant__line_manager", "cohort__programme").get(
        pk=locked.enrolment_id
    )
    return locked


def _write(locked: PT, **changes: object) -> None:
    """Save ``changes`` only if nobody changed the request since it was read; bump the version."""
    changes["updated_at"] = timezone.now()
    updated = PT.objects.filter(pk=locked.pk, version=locked.version).update(version=F("version") + 1, **changes)
    if updated != 1:
        raise Conflict(_("Someone else changed this request a moment ago. Nothing was saved; please look again."))
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.version += 1


def _event(locked: PT, *, action: str, actor: User | None, lines=(), comment: str = "", on_behalf_of=None) -> Event:
    event = Event.objects.create(
        request=locked, action=action, actor=actor, on_behalf_of=on_behalf_of, comment=comment, at=timezone.now()
    )
    if lines:
        event.lines.set(lines)
    return event


def _is_facilitator_of(user: User, cohort: Cohort) -> bool:
    return cohort.facilitators.filter(pk=user.pk).exists()


def _link(name: str, pk: int) -> str:
    return settings.STEADY_SITE_URL.rstrip("/") + reverse(name, kwargs={"pk": pk})


def _mail_context(locked: PT) -> dict[str, object]:
    """What an email about this request may say: names, counts and the neutral label, nothing clinical."""
    participant = locked.enrolment.participant
    return {
        "participant_name": participant.full_name,
        "participant_first_name": participant.first_name,
        "neutral_label": locked.enrolment.cohort.programme.neutral_label,
        "request_id": locked.pk,
    }


def _notify_manager(locked: PT, *, kind: str, occurrence: str) -> None:
    manager = locked.enrolment.participant.line_manager
    if manager is None:
        return
    reminder_schedule(
        kind=kind,
        recipient=manager,
        subject=locked,
        due_at=timezone.now(),
        occurrence=occurrence,
        context={**_mail_context(locked), "link": _link("facilitation:protected_time_decide", locked.pk)},
    )


def _after_decision(locked: PT) -> None:
    """When nothing is left to decide: stop the manager's reminders and tell the participant."""
    reminders_cancel(subject=locked, kinds=MANAGER_WAITING_KINDS)
    reminder_schedule(
        kind=KIND_DECIDED,
        recipient=locked.enrolment.participant,
        subject=locked,
        due_at=timezone.now(),
        occurrence=f"decided-{locked.version}",
        context={
            **_mail_context(locked),
            "status": str(locked.get_status_display()),
            "link": _link("facilitation:protected_time_participant", locked.pk),
        },
    )


def _new_lines(locked: PT, sessions: Iterable[GroupSession]) -> list[Line]:
    """Add a line for each session still ahead that the request does not cover yet.

    Sessions that have already started are left out: a place confirmed in week 3
    (from the waitlist) asks for time from week 3 on, never for the past.
    """
    now = timezone.now()
    have = set(locked.lines.values_list("group_session_id", flat=True))
    rows = [
        Line(
            request=locked,
            group_session=session,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            minutes=_minutes_for(session),
        )
        for session in sessions
        if session.pk not in have and session.status != GroupSession.Status.CANCELLED and session.starts_at > now
    ]
    return Line.objects.bulk_create(rows)


@transaction.atomic
def protected_time_request_draft(*, enrolment: Enrolment, actor: User | None = None) -> PT:
    """Return the enrolment's request, drafting it (one line per group session) when missing. Idempotent."""
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        raise NotAllowed(_("This place was withdrawn, so no protected time is needed."))
    request, created = PT.objects.get_or_create(enrolment=enrolment)
    locked = _lock(request)
    if locked.status != PT.Status.DRAFT:
        return locked
    sessions = enrolment.cohort.group_sessions.order_by("starts_at")
    added = _new_lines(locked, sessions)
    if created:
        _event(locked, action=Event.Action.DRAFTED, actor=actor, lines=added)
    return locked


@transaction.atomic
def protected_time_submit(*, request: PT, actor: User) -> PT:
    """Send a draft to the participant's line manager (the participant, or a facilitator for them)."""
    locked = _lock(request)
    enrolment = locked.enrolment
    if actor.pk != enrolment.participant_id and not _is_facilitator_of(actor, enrolment.cohort):
        raise NotAllowed(_("Only the participant or a facilitator of the group can send this request."))
    if locked.status == PT.Status.WITHDRAWN:
        raise NotAllowed(_("This request was withdrawn, so it cannot be sent."))
    if locked.status != PT.Status.DRAFT:
        raise NotAllowed(_("This request has already been sent to the line manager."))
    if enrolment.participant.line_manager_id is None:
        raise NotAllowed(
            _(
                "There is no line manager on file for this person. A facilitator can record time "
                "agreed outside Steady instead."
            )
        )
    if not locked.lines.exists():
        raise NotAllowed(_("This request has no sessions yet, so there is nothing to send."))
    now = timezone.now()
    _write(locked, status=PT.Status.SUBMITTED, submitted_at=now, submitted_by=actor, awaiting_since=now)
    on_behalf = enrolment.participant if actor.pk != enrolment.participant_id else None
    _event(locked, action=Event.Action.SUBMITTED, actor=actor, on_behalf_of=on_behalf)
    _notify_manager(locked, kind=KIND_SUBMITTED, occurrence=f"cycle-{locked.cycle}")
    return locked


def _deciding_for(locked: PT, actor: User, *, on: date | None = None) -> User | None:
    """Return the manager ``actor`` decides for (None when they are the manager), or refuse."""
    manager = locked.enrolment.participant.line_manager
    if manager is None:
        raise NotAllowed(_("This person has no line manager on file."))
    if actor.pk == manager.pk:
        return None
    on = on or timezone.localdate()
    if ProtectedTimeDelegation.objects.filter(
        manager=manager, deputy=actor, revoked_at__isnull=True, starts_on__lte=on, ends_on__gte=on
    ).exists():
        return manager
    raise NotAllowed(_("Only the line manager, or a deputy they have named, can decide this request."))


def _decide(
    request: PT,
    *,
    actor: User,
    decision: str,
    line_ids: Iterable[int] | None,
    comment: str,
    expected_version: int | None,
) -> PT:
    locked = _lock(request)
    if locked.status == PT.Status.WITHDRAWN:
        raise NotAllowed(_("This request was withdrawn, so there is nothing to decide."))
    if locked.status == PT.Status.DRAFT:
        raise NotAllowed(_("This request has not been sent yet, so there is nothing to decide."))
    on_behalf = _deciding_for(locked, actor)
    if expected_version is not None and expected_version != locked.version:
        raise Conflict(
            _("This request changed while you were looking at it (someone else may have decided). Nothing was saved.")
        )
    lines = list(locked.lines.select_related("group_session"))
    by_id = {line.pk: line for line in lines}
    if line_ids is None:
        chosen = [line for line in lines if line.decision == Line.Decision.PENDING]
        if not chosen:
            raise NotAllowed(_("Every session in this request has already been decided."))
    else:
        wanted = {int(pk) for pk in line_ids}
        if not wanted:
            raise DomainError(_("Choose at least one session."), field="lines")
        if wanted - by_id.keys():
            raise NotAllowed(_("One of those sessions is not part of this request."))
        chosen = [by_id[pk] for pk in sorted(wanted, key=lambda pk: by_id[pk].starts_at)]
        for line in chosen:
            if line.decision != Line.Decision.PENDING:
                raise NotAllowed(
                    _("%(session)s is already %(decision)s; nothing was changed.")
                    % {"session": _line_label(line.group_session), "decision": line.get_decision_display().lower()}
                )
    now = timezone.now()
    changed = Line.objects.filter(pk__in=[line.pk for line in chosen], decision=Line.Decision.PENDING).update(
        decision=decision, decided_at=now, decided_by=actor
    )
    if changed != len(chosen):
        raise Conflict(_("Someone else decided part of this request a moment ago. Nothing was saved."))
    for line in chosen:
        line.decision = decision
    status = _status_from(line.decision for line in lines)
    done = status != PT.Status.SUBMITTED
    _write(locked, status=status, decided_at=now, awaiting_since=None if done else locked.awaiting_since)
    action = Event.Action.APPROVED if decision == Line.Decision.APPROVED else Event.Action.DECLINED
    _event(locked, action=action, actor=actor, lines=chosen, comment=comment.strip(), on_behalf_of=on_behalf)
    if done:
        _after_decision(locked)
    return locked


@transaction.atomic
def protected_time_approve(
    *,
    request: PT,
    actor: User,
    line_ids: Iterable[int] | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> PT:
    """Approve every waiting session (``line_ids`` None) or the chosen ones."""
    return _decide(
        request,
        actor=actor,
        decision=Line.Decision.APPROVED,
        line_ids=line_ids,
        comment=comment,
        expected_version=expected_version,
    )


@transaction.atomic
def protected_time_decline(
    *,
    request: PT,
    actor: User,
    reason: str,
    line_ids: Iterable[int] | None = None,
    expected_version: int | None = None,
) -> PT:
    """Decline every waiting session (``line_ids`` None) or the chosen ones; a reason is required."""
    if not (reason or "").strip():
        raise DomainError(_("Say why, so your colleague can plan: a reason is needed to decline."), field="reason")
    return _decide(
        request,
        actor=actor,
        decision=Line.Decision.DECLINED,
        line_ids=line_ids,
        comment=reason,
        expected_version=expected_version,
    )


@transaction.atomic
def protected_time_bulk_approve(*, requests: Iterable[PT], actor: User, comment: str = "") -> list[PT]:
    """Approve every waiting session of several requests, all or none."""
    requests = list(requests)
    if not requests:
        raise DomainError(_("Choose at least one request to approve."), field="requests")
    return [
        _decide(r, actor=actor, decision=Line.Decision.APPROVED, line_ids=None, comment=comment, expected_version=None)
        for r in requests
    ]


@transaction.atomic
def protected_time_comment(*, request: PT, actor: User, comment: str) -> Event:
    """Add a comment to the request's record (the line manager, their deputy or the participant)."""
    if not (comment or "").strip():
        raise DomainError(_("Write a comment first."), field="comment")
    locked = _lock(request)
    if locked.status == PT.Status.WITHDRAWN:
        raise NotAllowed(_("This request was withdrawn."))
    on_behalf = None
    if actor.pk != locked.enrolment.participant_id:
        on_behalf = _deciding_for(locked, actor)
    # A comment does not bump the version: it must not make a deputy's open decision page stale.
    return _event(locked, action=Event.Action.COMMENTED, actor=actor, comment=comment.strip(), on_behalf_of=on_behalf)


@transaction.atomic
def protected_time_withdraw(*, request: PT, actor: User, on_behalf: bool = False) -> PT:
    """Withdraw the request (the participant, or a facilitator of the group); no reason is asked.

    ``on_behalf`` is for the enrolment services: a place that ends takes its request with it.
    """
    locked = _lock(request)
    enrolment = locked.enrolment
    if not on_behalf and actor.pk != enrolment.participant_id and not _is_facilitator_of(actor, enrolment.cohort):
        raise NotAllowed(_("Only the participant or a facilitator of the group can withdraw this request."))
    if locked.status == PT.Status.WITHDRAWN:
        raise NotAllowed(_("This request has already been withdrawn."))
    now = timezone.now()
    _write(locked, status=PT.Status.WITHDRAWN, withdrawn_at=now, awaiting_since=None)
    _event(locked, action=Event.Action.WITHDRAWN, actor=actor)
    reminders_cancel(subject=locked)
    return locked


@transaction.atomic
def protected_time_record_external(*, request: PT, actor: User, note: str) -> PT:
    """Record that time was agreed outside Steady, for a participant with no line manager on file."""
    locked = _lock(request)
    if not _is_facilitator_of(actor, locked.enrolment.cohort):
        raise NotAllowed(_("Only a facilitator of the group can record time agreed outside Steady."))
    if not (note or "").strip():
        raise DomainError(_("Add a note of who agreed the time and when."), field="note")
    if locked.enrolment.participant.line_manager_id is not None:
        raise NotAllowed(_("This person has a line manager on file: send the request to them instead."))
    if locked.status != PT.Status.DRAFT:
        raise NotAllowed(_("Only a request that has not been sent can be recorded as agreed outside Steady."))
    now = timezone.now()
    lines = list(locked.lines.all())
    if not lines:
        raise NotAllowed(_("This request has no sessions yet, so there is nothing to record."))
    Line.objects.filter(request=locked).update(decision=Line.Decision.APPROVED, decided_at=now, decided_by=actor)
    _write(
        locked,
        status=PT.Status.APPROVED,
        external_note=note.strip(),
        submitted_at=now,
        submitted_by=actor,
        decided_at=now,
    )
    _event(locked, action=Event.Action.RECORDED_EXTERNAL, actor=actor, lines=lines, comment=note.strip())
    return locked


@transaction.atomic
def protected_time_sessions_changed(*, group_session: GroupSession, old_starts_at: datetime | None = None) -> int:
    """Bring each request's line for a moved (or cancelled) session up to date; return how many changed.

    A line already decided goes back to waiting and keeps the times it was
    decided on, so the manager sees old and new. Other lines are untouched.
    ``old_starts_at`` is the caller's record of the time before the move; the
    line's own copy (what the manager saw) is what is kept as "previous".
    """
    group_session.refresh_from_db()
    cancelled = group_session.status == GroupSession.Status.CANCELLED
    request_ids = list(
        Line.objects.filter(group_session=group_session)
        .exclude(request__status=PT.Status.WITHDRAWN)
        .values_list("request_id", flat=True)
    )
    changed = 0
    for request in PT.objects.filter(pk__in=request_ids).order_by("pk"):
        locked = _lock(request)
        if locked.status == PT.Status.WITHDRAWN:
            continue
        line = locked.lines.get(group_session=group_session)
        if cancelled:
            line.delete()
            if locked.status != PT.Status.DRAFT:
                status = _status_from(locked.lines.values_list("decision", flat=True))
                waiting = status == PT.Status.SUBMITTED
                _write(locked, status=status, awaiting_since=locked.awaiting_since if waiting else None)
                if not waiting and locked.awaiting_since is None:
                    reminders_cancel(subject=locked, kinds=MANAGER_WAITING_KINDS)
            _event(locked, action=Event.Action.SESSIONS_CHANGED, actor=None, comment=_line_label(group_session))
            changed += 1
            continue
        if line.starts_at == group_session.starts_at and line.ends_at == group_session.ends_at:
            continue
        changed += 1
        fields = ["starts_at", "ends_at", "minutes"]
        # Keep the times last decided on (or first asked about, for a line still waiting).
        if locked.status != PT.Status.DRAFT and (
            line.decision != Line.Decision.PENDING or line.previous_starts_at is None
        ):
            line.previous_starts_at = line.starts_at
            line.previous_ends_at = line.ends_at
            fields += ["previous_starts_at", "previous_ends_at"]
        line.starts_at, line.ends_at = group_session.starts_at, group_session.ends_at
        line.minutes = _minutes_for(group_session)
        back_to_manager = line.decision != Line.Decision.PENDING and locked.status != PT.Status.DRAFT
        if back_to_manager:
            line.previous_decision = line.decision
            line.decision = Line.Decision.PENDING
            line.decided_at = None
            line.decided_by = None
            fields += ["previous_decision", "decision", "decided_at", "decided_by"]
        line.save(update_fields=fields)
        if back_to_manager:
            _write(locked, status=PT.Status.SUBMITTED, cycle=locked.cycle + 1, awaiting_since=timezone.now())
            _notify_manager(locked, kind=KIND_SUBMITTED, occurrence=f"cycle-{locked.cycle}")
        else:
            _write(locked)
        _event(locked, action=Event.Action.SESSIONS_CHANGED, actor=None, lines=[line])
    return changed


@transaction.atomic
def protected_time_add_sessions(*, cohort: Cohort) -> int:
    """Add lines for sessions scheduled later (boosters) to every live request of ``cohort``; return how many."""
    sessions = list(cohort.group_sessions.exclude(status=GroupSession.Status.CANCELLED).order_by("starts_at"))
    added_total = 0
    for request in PT.objects.filter(enrolment__cohort=cohort).exclude(status=PT.Status.WITHDRAWN).order_by("pk"):
        locked = _lock(request)
        if locked.status == PT.Status.WITHDRAWN:
            continue
        added = _new_lines(locked, sessions)
        if not added:
            continue
        added_total += len(added)
        if locked.status in (PT.Status.DRAFT, PT.Status.SUBMITTED):
            _write(locked)
        else:
            _write(locked, status=PT.Status.SUBMITTED, cycle=locked.cycle + 1, awaiting_since=timezone.now())
            _notify_manager(locked, kind=KIND_SUBMITTED, occurrence=f"cycle-{locked.cycle}")
        _event(locked, action=Event.Action.SESSIONS_ADDED, actor=None, lines=added)
    return added_total


# Tracking (called by facilitation.tasks from the beat) -----------------------


def _is_due(locked: PT, level: str, now: datetime) -> bool:
    Level = ProtectedTimeEscalation.Level
    cohort = locked.enrolment.cohort
    if level in (Level.MANAGER_REMINDER, Level.ESCALATION):
        if locked.status != PT.Status.SUBMITTED or locked.awaiting_since is None:
            return False
        days = (
            settings.STEADY_PROTECTED_TIME_REMIND_AFTER_WORKING_DAYS
            if level == Level.MANAGER_REMINDER
            else settings.STEADY_PROTECTED_TIME_ESCALATE_AFTER_WORKING_DAYS
        )
        return now >= add_working_days(
            locked.awaiting_since, days, region=cohort.holiday_region, time_zone=cohort.time_zone
        )
    if level == Level.FIRST_SESSION_ALERT:
        if locked.status == PT.Status.WITHDRAWN:
            return False
        first = locked.lines.order_by("starts_at").first()
        window = timedelta(hours=settings.STEADY_PROTECTED_TIME_ALERT_HOURS)
        return bool(first and now < first.starts_at <= now + window and first.decision != Line.Decision.APPROVED)
    return False


@transaction.atomic
def protected_time_escalation_fire(*, request_id: int, level: str, now: datetime | None = None) -> bool:
    """Fire one tracking step if it is due and has not fired; return whether this call fired it.

    The step's row (unique per request, level and cycle) is written before
    any reminder, in the same transaction: a second beat or a repeated job
    hits the constraint and sends nothing.
    """
    now = now or timezone.now()
    Level = ProtectedTimeEscalation.Level
    try:
        locked = _lock(PT(pk=request_id))
    except PT.DoesNotExist:
        return False
    if not _is_due(locked, level, now):
        return False
    cycle = 0 if level == Level.FIRST_SESSION_ALERT else locked.cycle
    try:
        with transaction.atomic():
            ProtectedTimeEscalation.objects.create(request=locked, level=level, cycle=cycle, fired_at=now)
    except IntegrityError:
        return False
    cohort = locked.enrolment.cohort
    participant = locked.enrolment.participant
    facilitators = list(cohort.facilitators.filter(is_active=True))
    context = _mail_context(locked)
    occurrence = f"{level}-{cycle}"
    if level == Level.MANAGER_REMINDER:
        _notify_manager(locked, kind=KIND_MANAGER_REMINDER, occurrence=occurrence)
        return True
    if level == Level.ESCALATION:
        leads = list(User.objects.filter(is_service_lead=True, is_active=True))
        manager = participant.line_manager
        for person in {p.pk: p for p in [*facilitators, *leads]}.values():
            reminder_schedule(
                kind=KIND_ESCALATION,
                recipient=person,
                subject=locked,
                due_at=now,
                occurrence=occurrence,
                context={
                    **context,
                    "manager_name": manager.full_name if manager else "",
                    "link": _link("facilitation:protected_time_matrix", cohort.pk),
                },
            )
        return True
    first = locked.lines.order_by("starts_at").first()
    for person in [participant, *facilitators]:
        is_participant = person.pk == participant.pk
        reminder_schedule(
            kind=KIND_FIRST_SESSION_ALERT,
            recipient=person,
            subject=locked,
            due_at=now,
            occurrence=occurrence,
            context={
                **context,
                "first_starts_at": first.starts_at.isoformat(),
                "time_zone": cohort.time_zone,
                "for_participant": is_participant,
                "link": (
                    _link("facilitation:protected_time_participant", locked.pk)
                    if is_participant
                    else _link("facilitation:protected_time_matrix", cohort.pk)
                ),
            },
        )
    return True


@transaction.atomic
def protected_time_digest_schedule(*, now: datetime | None = None) -> int:
    """Write this week's digest for each line manager with anything waiting; once per manager and week."""
    now = now or timezone.now()
    year, week, _weekday = timezone.localtime(now).isocalendar()
    count = 0
    for manager in protected_time_managers_with_pending():
        waiting = PT.objects.filter(status=PT.Status.SUBMITTED, enrolment__participant__line_manager=manager).count()
        reminder_schedule(
            kind=KIND_DIGEST,
            recipient=manager,
            subject=manager,
            due_at=now,
            occurrence=f"{year}-W{week:02d}",
            context={
                "waiting_count": waiting,
                "manager_first_name": manager.first_name,
                "link": settings.STEADY_SITE_URL.rstrip("/") + reverse("facilitation:manager_home"),
            },
        )
        count += 1
    return count


# Delegation ------------------------------------------------------------------


@transaction.atomic
def protected_time_delegation_create(
    *, manager: User, deputy: User, starts_on: date, ends_on: date
) -> ProtectedTimeDelegation:
    """Let ``deputy`` decide ``manager``'s staff's requests from ``starts_on`` to ``ends_on`` (inclusive)."""
    if not manager.is_manager:
        raise NotAllowed(_("Only a line manager can name a deputy."))
    if deputy.pk == manager.pk:
        raise DomainError(_("Choose someone other than yourself as deputy."), field="deputy")
    if not deputy.is_active:
        raise DomainError(_("That person's account is not active; choose someone else."), field="deputy")
    if ends_on < starts_on:
        raise DomainError(_("The last day must be on or after the first day."), field="ends_on")
    if ends_on < timezone.localdate():
        raise DomainError(_("The last day is in the past; choose a date from today on."), field="ends_on")
    return ProtectedTimeDelegation.objects.create(manager=manager, deputy=deputy, starts_on=starts_on, ends_on=ends_on)


@transaction.atomic
def protected_time_delegation_revoke(*, delegation: ProtectedTimeDelegation, actor: User) -> ProtectedTimeDelegation:
    if actor.pk != delegation.manager_id:
        raise NotAllowed(_("Only the manager who named the deputy can end it."))
    updated = ProtectedTimeDelegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotAllowed(_("This delegation has already ended."))
    delegation.refresh_from_db()
    return delegation
