"""Reads of core's own records: the audit trail, searched by the service lead."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from core.models import AccessLog


def access_log_search(
    *,
    person_id: int | None = None,
    record_type: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AccessLog]:
    """Audit rows, newest first: by a person (as the one who acted, or the one it is about), record type, dates."""
    rows = AccessLog.objects.select_related("actor", "subject").order_by("-at", "-pk")
    if person_id is not None:
        rows = rows.filter(actor_id=person_id) | rows.filter(subject_id=person_id)
    if record_type:
        rows = rows.filter(record_type=record_type)
    if date_from is not None:
        rows = rows.filter(at__date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(at__date__lte=date_to)
    return rows


def access_log_record_types() -> list[str]:
    """The record types the audit trail holds, for the search form's choices."""
    return list(AccessLog.objects.order_by("record_type").values_list("record_type", flat=True).distinct())
