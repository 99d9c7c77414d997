"""A participant's place in a cohort (sessions' Enrolment), as measures reads it.

A place counts for questionnaires while it is enrolled or completed (``Enrolment.PLACE_STATUSES``);
a place was filled if it ever held a seat (those, or withdrawn later).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q

from accounts.models import User
from sessions.models import Cohort, Enrolment

HELD = Enrolment.PLACE_STATUSES
FILLED = (*Enrolment.PLACE_STATUSES, Enrolment.Status.WITHDRAWN)


def participant_cohort_ids(user: User) -> set[int]:
    """The cohorts in which ``user`` holds a place that counts (one query)."""
    if not user.is_authenticated:
        return set()
    return set(Enrolment.objects.filter(participant=user, status__in=HELD).values_list("cohort_id", flat=True))


def cohort_participant_ids(cohort: Cohort) -> list[int]:
    """The participants holding a place in ``cohort`` (one query)."""
    places = Enrolment.objects.filter(cohort=cohort, status__in=HELD).order_by("participant_id")
    return list(places.values_list("participant_id", flat=True))


def cohorts_participant_ids(cohort_ids: Iterable[int]) -> dict[int, list[int]]:
    """Participant ids per cohort for many cohorts (one query)."""
    result: dict[int, list[int]] = {pk: [] for pk in cohort_ids}
    rows = Enrolment.objects.filter(cohort_id__in=list(result), status__in=HELD).values_list(
        "cohort_id", "participant_id"
    )
    for cohort_id, participant_id in rows.order_by("cohort_id", "participant_id"):
        result[cohort_id].append(participant_id)
    return result


def cohort_place_counts(cohort_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per cohort: places offered (capacity), filled (ever held), completed, withdrawn (one query)."""
    rows = Cohort.objects.filter(pk__in=list(cohort_ids)).annotate(
        filled=Count("enrolments", filter=Q(enrolments__status__in=FILLED)),
        completed=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.COMPLETED)),
        withdrawn=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WITHDRAWN)),
    )
    return {
        c.pk: {"offered": c.capacity, "filled": c.filled, "completed": c.completed, "withdrawn": c.withdrawn}
        for c in rows.only("pk", "capacity")
    }


def place_rows(cohort_ids: Iterable[int]) -> list[tuple[int, int, str]]:
    """(cohort id, participant id, status) of every filled place in the cohorts (one query)."""
    return list(
        Enrolment.objects.filter(cohort_id__in=list(cohort_ids), status__in=FILLED).values_list(
            "cohort_id", "participant_id", "status"
        )
    )


def place_joined_at(cohort: Cohort, user: User):
    """When ``user`` acknowledged the pack or joined ``cohort`` (None when they hold no place)."""
    row = (
        Enrolment.objects.filter(cohort=cohort, participant=user, status__in=HELD)
        .values("acknowledged_at", "created_at")
        .first()
    )
    if row is None:
        return None
    return row["acknowledged_at"] or row["created_at"]
