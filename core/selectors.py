"""Reads of core records: which escalation steps have fired."""

from __future__ import annotations

from django.db.models import QuerySet

from core.models import EscalationStep


def escalation_steps_fired(
    *, ladder: str, subject_ids: QuerySet | list[int] | None = None
) -> set[tuple[int, str, int]]:
    """The (subject id, step, cycle) triples already fired on ``ladder`` (optionally for some subjects)."""
    rows = EscalationStep.objects.filter(ladder=ladder)
    if subject_ids is not None:
        rows = rows.filter(subject_id__in=subject_ids)
    return set(rows.values_list("subject_id", "step", "cycle"))


def escalation_subjects_at(*, ladder: str, step: str) -> QuerySet:
    """Subject ids that have reached ``step`` of ``ladder`` (a subquery for the higher app's own filter)."""
    return EscalationStep.objects.filter(ladder=ladder, step=step).values("subject_id")
