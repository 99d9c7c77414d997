"""Writes for a protected-time request: drafting, sending, withdrawing, recording time agreed outside Steady.

Every change to a request goes through these functions. Each locks the
request row (PostgreSQL) and writes it with a conditional update on
``version``, so two people deciding at the same moment get one decision and
one clear message, on SQLite as well."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import page_cache
from core.errors import Conflict, DomainError, NotAllowed
from core.links import absolute_url
from core.services import audit_change_record
from facilitation.models import ProtectedTimeDelegation, ProtectedTimeEvent, ProtectedTimeLine, ProtectedTimeRequest
from reminders.services.scheduling import reminder_schedule, reminders_cancel
from sessions.models import Cohort, Enrolment, GroupSession
from sessions.rules import is_cohort_facilitator

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


def _pages_bump(locked: PT) -> None:
    """Every step of a request changes its participant's home and their line manager's inbox (the manager's
    person scope, which a deputy's inbox reads too) for ``core.page_cache``; the step's service calls this."""
    enrolment = locked.enrolment  # read with the lock (``_lock``), with the participant
    scopes = [page_cache.person(enrolment.participant_id), page_cache.cohort(enrolment.cohort_id)]
    if enrolment.participant.line_manager_id:
        scopes.append(page_cache.person(enrolment.participant.line_manager_id))
    page_cache.bump(*scopes)


def _event(locked: PT, *, action: str, actor: User | None, lines=(), comment: str = "", on_behalf_of=None) -> Event:
    event = Event.objects.create(
        request=locked, action=action, actor=actor, on_behalf_of=on_behalf_of, comment=comment, at=timezone.now()
    )
    if lines:
        event.lines.set(lines)
    # Every step of a request (sent, approved, declined, withdrawn, recorded) joins the audit trail:
    # the action and which lines, never the comment (free text outlives no erasure there).
    participant_id = getattr(getattr(locked, "enrolment", None), "participant_id", None)
    _pages_bump(locked)
    audit_change_record(
        actor=actor,
        record=locked,
        action=f"protected_time_{action}",
        subject=participant_id,
        detail="lines " + ", ".join(str(line.pk) for line in lines) if lines else "",
    )
    return event


def _is_facilitator_of(user: User, cohort: Cohort) -> bool:
    return is_cohort_facilitator(user, cohort)


def _link(name: str, pk: int) -> str:
    return absolute_url(name, pk=pk)


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
    elif added:
        _pages_bump(locked)
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
