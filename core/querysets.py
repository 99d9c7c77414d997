"""Query helpers that are about the database, not about any record of Steady."""

from __future__ import annotations

from django.db.models import Model, QuerySet


def rows_with_related_if_any(queryset: QuerySet) -> list[Model]:
    """The rows of ``queryset``, joining its ``select_related`` tables only when there are rows.

    For panels that are empty on most visits (open risk alerts, check-in offers not taken up): PostgreSQL
    spends longer planning a join of six or seven tables than running it, so the rows' ids are asked first
    without the joins (one cheap query, and no more when there are none), then the rows with their related
    records (a second query only when there are some).
    """
    ids = list(queryset.select_related(None).values_list("pk", flat=True))
    return list(queryset.filter(pk__in=ids)) if ids else []
