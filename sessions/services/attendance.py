"""Writes for the register: attendance at a session, and a participant's apologies."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import page_cache
from core.errors import DomainError, NotAllowed
from core.services import audit_change_record
from sessions.models import (
    Attendance,
    Enrolment,
    GroupSession,
)


@transaction.atomic
def attendance_record(
    *, group_session: GroupSession, participant: User, status: str, by: User, note: str | None = None
) -> Attendance:
    """Record (or change) one participant's attendance at one session."""
    if status not in Attendance.Status.values:
        raise DomainError(_("Choose present, late, left early, sent apologies or absent."), field="status")
    if group_session.status == GroupSession.Status.CANCELLED:
        raise NotAllowed(_("This session was cancelled, so there is no register to keep."))
    defaults: dict[str, object] = {"status": status, "recorded_by": by}
    if note is not None:
        defaults["note"] = note
    attendance, _created = Attendance.objects.update_or_create(
        group_session=group_session, participant=participant, defaults=defaults
    )
    audit_change_record(actor=by, record=attendance, action="recorded", subject=participant, detail=status)
    page_cache.bump(page_cache.person(attendance.participant_id), page_cache.cohort(group_session.cohort_id))
    return attendance


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
    return attendance_record(
        group_session=group_session,
        participant=participant,
        status=Attendance.Status.APOLOGIES,
        by=participant,
        note=note[:300],
    )


@transaction.atomic
def apologies_withdraw(*, group_session: GroupSession, participant: User) -> None:
    """Take back one's apologies ("I can come after all"), until the session starts."""
    if group_session.status != GroupSession.Status.SCHEDULED or group_session.starts_at <= timezone.now():
        raise NotAllowed(_("This session has started, so the apologies stay; the facilitators keep the register."))
    deleted, _rows = Attendance.objects.filter(
        group_session=group_session, participant=participant, status=Attendance.Status.APOLOGIES
    ).delete()
    if not deleted:
        raise NotAllowed(_("You had not sent apologies for this session."))
    page_cache.bump(page_cache.person(participant.pk), page_cache.cohort(group_session.cohort_id))
