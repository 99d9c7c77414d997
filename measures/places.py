"""The one seam to a participant's place in a cohort (enrolment), so measures names no higher app.

Enrolment is moving between apps; these functions query it only through the
``enrolments`` reverse relation of ``Cohort`` and its ``status`` strings, so after the
move only this file changes. A place counts for questionnaires while it is
``enrolled`` or ``completed``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q

from accounts.models import User
from sessions.models import Cohort

HELD = ("enrolled", "completed")
FILLED = ("enrolled", "completed", "withdrawn")


def participant_cohort_ids(user: User) -> set[int]:
    """The cohorts in which ``user`` holds a place that counts (one query)."""
    if not user.is_authenticated:
        return set()
    return set(
        Cohort.objects.filter(enrolments__participant=user, enrolments__status__in=HELD).values_list("pk", flat=True)
    )


def cohort_participant_ids(cohort: Cohort) -> list[int]:
    """The participants holding a place in ``cohort`` (one query)."""
    return list(
        cohort.enrolments.filter(status__in=HELD).order_by("participant_id").values_list("participant_id", flat=True)
    )


def cohorts_participant_ids(cohort_ids: Iterable[int]) -> dict[int, list[int]]:
    """Participant ids per cohort for many cohorts (one query)."""
    result: dict[int, list[int]] = {pk: [] for pk in cohort_ids}
    rows = Cohort.objects.filter(pk__in=list(result), enrolments__status__in=HELD).values_list(
        "pk", "enrolments__participant_id"
    )
    for cohort_id, participant_id in rows.order_by("pk", "enrolments__participant_id"):
        result[cohort_id].append(participant_id)
    return result


def cohort_place_counts(cohort_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per cohort: places offered (capacity), filled (ever held), completed, withdrawn (one query)."""
    rows = Cohort.objects.filter(pk__in=list(cohort_ids)).annotate(
        filled=Count("enrolments", filter=Q(enrolments__status__in=FILLED)),
        completed=Count("enrolments", filter=Q(enrolments__status="completed")),
        withdrawn=Count("enrolments", filter=Q(enrolments__status="withdrawn")),
    )
    return {
        c.pk: {"offered": c.capacity, "filled": c.filled, "completed": c.completed, "withdrawn": c.withdrawn}
        for c in rows.only("pk", "capacity")
    }


def place_rows(cohort_ids: Iterable[int]) -> list[tuple[int, int, str]]:
    """(cohort id, participant id, status) of every filled place in the cohorts (one query)."""
    return list(
        Cohort.objects.filter(pk__in=list(cohort_ids), enrolments__status__in=FILLED).values_list(
            "pk", "enrolments__participant_id", "enrolments__status"
        )
    )


def place_joined_at(cohort: Cohort, user: User):
    """When ``user`` acknowledged the pack or joined ``cohort`` (None when they hold no place)."""
    row = cohort.enrolments.filter(participant=user, status__in=HELD).values("acknowledged_at", "created_at").first()
    if row is None:
        return None
    return row["acknowledged_at"] or row["created_at"]
