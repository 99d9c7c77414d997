"""Writes for the line manager's (or deputy's) decisions: approve, decline, approve several."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, DomainError, NotAllowed
from facilitation.services.protected_time import (
    PT,
    Event,
    Line,
    _after_decision,
    _deciding_for,
    _event,
    _line_label,
    _lock,
    _status_from,
    _write,
)


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
    if actor.pk in (locked.enrolment.participant_id, locked.submitted_by_id):
        # A deputy may be one of the manager's own staff: their own request goes to someone else.
        raise NotAllowed(_("You cannot decide a request you made; another manager or deputy will decide it."))
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
