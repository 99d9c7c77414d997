from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils import timezone

from core.models import AccessLog, Heartbeat


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
        )
        for record in records
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)
