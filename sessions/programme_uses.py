"""Sessions tells programmes how many cohorts run each programme version (see ``programmes.usage``)."""

from __future__ import annotations

from django.db.models import Count, Expression, OuterRef, Subquery

from programmes.usage import ProgrammeUse, programme_use_register
from sessions.models import Cohort


def _cohort_count() -> Expression:
    per_programme = (
        Cohort.objects.filter(programme=OuterRef("pk")).order_by().values("programme").annotate(n=Count("pk"))
    )
    return Subquery(per_programme.values("n"))


def register() -> None:
    programme_use_register(ProgrammeUse(name="cohorts", count=_cohort_count))
