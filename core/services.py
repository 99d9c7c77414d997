from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from core import escalation
from core.audit import announcers, current_address
from core.models import AccessLog, EscalationStep, Heartbeat
from core.personal_data import purgers


def heartbeat_record(*, name: str) -> Heartbeat:
    """Record that the process called ``name`` is alive now."""
    beat, _ = Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})
    return beat


def access_log_record(
    *,
    actor: AbstractBaseUser,
    records: Iterable[models.Model],
    subject_attr: str | None = None,
    action: str = "view",
) -> int:
    """Record that ``actor`` read each of ``records`` (one batched insert); return the count."""
    rows = [
        AccessLog(
            actor=actor,
            action=action,
            record_type=record._meta.label,
            record_id=str(record.pk),
            subject_id=getattr(record, f"{subject_attr}_id") if subject_attr else None,
            address=current_address(),
        )
        for record in records
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def access_change_record(
    *, actor: AbstractBaseUser, subject: AbstractBaseUser, record: models.Model, action: str, detail: str
) -> AccessLog:
    """Record that ``actor`` changed what ``subject`` may see or do (a role, a cohort), and tell them.

    The row joins the access log (append-only: the admin neither changes nor deletes it); every
    registered announcer (core.audit) then tells the person concerned.
    """
    entry = AccessLog.objects.create(
        actor=actor,
        action=action,
        record_type=record._meta.label,
        record_id=str(record.pk),
        subject=subject,
        detail=detail[:200],
        address=current_address(),
    )
    for announce in announcers():
        announce(entry)
    return entry


def audit_change_record(
    *,
    actor: AbstractBaseUser | None,
    record: models.Model,
    action: str,
    subject: AbstractBaseUser | int | None = None,
    detail: str = "",
) -> AccessLog | None:
    """Record that ``actor`` changed ``record`` (a clinical record, a place, a protected-time decision).

    ``detail`` names what changed (field names, a status), never clinical text or a person's name:
    the log is append-only, so anything written here outlives an erasure. A change with no person
    behind it (a scheduled job) is not a person's action and is not recorded here.
    """
    if actor is None:
        return None
    return AccessLog.objects.create(
        actor=actor,
        action=action[:30],
        record_type=record._meta.label,
        record_id=str(record.pk),
        subject_id=getattr(subject, "pk", subject),
        detail=detail[:200],
        address=current_address(),
    )


def people_relation_changes_record(
    *, actor: AbstractBaseUser, record: models.Model, relation: str, before: Iterable, after: Iterable
) -> list[AccessLog]:
    """Record and announce each person added to or removed from ``record.<relation>`` (a cohort's facilitators)."""
    old, new = set(before), set(after)
    label = record._meta.get_field(relation).verbose_name
    changes = [(person, "added", "added you to the %(field)s of %(record)s") for person in new - old]
    changes += [(person, "removed", "removed you from the %(field)s of %(record)s") for person in old - new]
    return [
        access_change_record(
            actor=actor,
            subject=person,
            record=record,
            action=f"{relation}_{action}"[:30],
            detail=f"{actor} {words % {'field': label, 'record': record}}",
        )
        for person, action, words in sorted(changes, key=lambda change: change[0].pk)
    ]


@transaction.atomic
def escalation_step_fire(*, ladder: str, subject_id: int, step: str, now: datetime | None = None) -> bool:
    """Fire one step of a ladder if it is due and has not fired; return whether this call fired it.

    The ladder's ``claim`` locks the subject and re-checks; the step's row is
    written before any notification, in the same transaction, so a second
    beat or a repeated job hits the constraint and sends nothing.
    """
    now = now or timezone.now()
    definition = escalation.get(ladder)
    if step not in definition.steps:
        raise ValueError(f"Ladder {ladder!r} has no step {step!r}.")
    cycle = definition.claim(subject_id, step, now)
    if cycle is None:
        return False
    try:
        with transaction.atomic():
            EscalationStep.objects.create(ladder=ladder, subject_id=subject_id, step=step, cycle=cycle, fired_at=now)
    except IntegrityError:
        return False
    definition.act(subject_id, step, cycle, now)
    return True


def escalation_ladder_walk(*, ladder: str, now: datetime | None = None) -> int:
    """Fire every due step of one ladder, each in its own transaction; return how many fired."""
    now = now or timezone.now()
    definition = escalation.get(ladder)
    return sum(
        escalation_step_fire(ladder=ladder, subject_id=subject_id, step=step, now=now)
        for subject_id, step in list(definition.due(now))
    )


def clinical_records_purge(*, today: dt.date | None = None) -> dict[str, int]:
    """Run every registered purge (core.personal_data) for cohorts that ended before the retention cut-off.

    The cut-off is today less ``STEADY_CLINICAL_RETENTION_MONTHS``; each purge works in batches of
    ``STEADY_PURGE_BATCH_SIZE`` rows, one transaction a batch, so a long purge never holds locks for long.
    Returns the rows changed per purge.
    """
    today = today or timezone.localdate()
    before = today - relativedelta(months=settings.STEADY_CLINICAL_RETENTION_MONTHS)
    return {name: purge(before) for name, purge in purgers().items()}
