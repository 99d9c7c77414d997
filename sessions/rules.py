"""Object rules (django-rules) about cohorts: "a facilitator of this cohort" and "a participant in this cohort".

Each is defined once, here, as a predicate on (user, cohort), and once more as its queryset mirror (a ``Q`` or an
``Exists``) for lists and for fetching an object with the fact in the same query. The mirrors are named after
their predicate; ``tests/privacy/test_access_rules.py`` checks on the whole world that they agree.

An access selector fetches the object with ``cohort_access_annotations(user, cohort_ref)`` and passes the row
to ``cohort_access_remember``; the predicates then read the fact from the cohort instead of asking the database,
so deciding through the predicate costs no query more than the old filtered fetch did.
"""

from __future__ import annotations

import rules
from django.db.models import Exists, OuterRef, Q

from accounts.rules import is_facilitator
from sessions.models import Cohort, Enrolment

_FACILITATES = "_steady_facilitates_{}"
_TAKES_PART = "_steady_takes_part_{}"


def _known(cohort: object, name: str, user: object) -> bool | None:
    return getattr(cohort, name.format(user.pk), None)


@rules.predicate
def is_cohort_facilitator(user: object, cohort: object) -> bool:
    """Whether ``user`` is one of ``cohort``'s facilitators (one query, none if the access selector read it)."""
    if cohort is None or getattr(user, "pk", None) is None:
        return False
    known = _known(cohort, _FACILITATES, user)
    if known is not None:
        return known
    return cohort.facilitators.filter(pk=user.pk).exists()


@rules.predicate
def is_cohort_participant(user: object, cohort: object) -> bool:
    """Whether ``user`` holds (or held, to its end) a place in ``cohort``: ``Enrolment.PLACE_STATUSES``."""
    if cohort is None or getattr(user, "pk", None) is None:
        return False
    known = _known(cohort, _TAKES_PART, user)
    if known is not None:
        return known
    return Enrolment.objects.filter(cohort=cohort, participant_id=user.pk, status__in=Enrolment.PLACE_STATUSES).exists()


# --- the queryset mirrors ---------------------------------------------------------------------------------


def cohort_facilitator_q(user: object, prefix: str = "") -> Q:
    """Mirror of ``is_cohort_facilitator`` for a queryset whose cohort is at ``prefix`` (``"cohort__"``, or "")."""
    return Q(**{f"{prefix}facilitators": user})


def cohort_participant_q(user: object, prefix: str = "") -> Q:
    """Mirror of ``is_cohort_participant``; combine with other filters in one ``filter()`` call (one join)."""
    return Q(**{f"{prefix}enrolments__participant": user, f"{prefix}enrolments__status__in": Enrolment.PLACE_STATUSES})


def cohort_access_annotations(user: object, cohort_ref: str = "pk") -> dict[str, Exists]:
    """Both predicates' facts for ``user`` as annotations on a queryset whose cohort id is at ``cohort_ref``."""
    through = Cohort.facilitators.through.objects
    return {
        _FACILITATES.format(user.pk): Exists(through.filter(cohort_id=OuterRef(cohort_ref), user_id=user.pk)),
        _TAKES_PART.format(user.pk): Exists(
            Enrolment.objects.filter(
                cohort_id=OuterRef(cohort_ref), participant_id=user.pk, status__in=Enrolment.PLACE_STATUSES
            )
        ),
    }


def cohort_access_remember(*, row: object, cohort: object, user: object) -> None:
    """Copy the facts ``cohort_access_annotations`` put on ``row`` onto ``cohort``, for the predicates to read."""
    for name in (_FACILITATES, _TAKES_PART):
        attr = name.format(user.pk)
        setattr(cohort, attr, getattr(row, attr))


rules.add_perm("group_sessions.facilitate_cohort", rules.is_authenticated & is_facilitator & is_cohort_facilitator)
rules.add_perm("group_sessions.take_part_in_cohort", rules.is_authenticated & is_cohort_participant)
