"""Object rules (django-rules) about protected time: "this participant's line manager, or their deputy today".

The deputy model (``ProtectedTimeDelegation``) lives here, so the predicate does too. ``decides_for_ids`` is its
one definition of whom a person decides for (themselves as a manager, and each manager whose deputy they are
today); the predicate and the inbox's scoped queryset (``enrolment__participant__line_manager_id__in=ids``) both
read it, and ``tests/privacy/test_access_rules.py`` checks they agree on the whole world.
"""

from __future__ import annotations

from datetime import date

import rules
from django.utils import timezone

from facilitation.models import ProtectedTimeDelegation


def decides_for_ids(user: object, *, on: date | None = None) -> list[int]:
    """The managers whose staff's requests ``user`` may decide on ``on`` (today): themselves, then delegators."""
    if getattr(user, "pk", None) is None:
        return []
    on = on or timezone.localdate()
    ids = list(
        ProtectedTimeDelegation.objects.filter(
            deputy_id=user.pk, revoked_at__isnull=True, starts_on__lte=on, ends_on__gte=on
        ).values_list("manager_id", flat=True)
    )
    if getattr(user, "is_manager", False):
        ids.insert(0, user.pk)
    return ids


def manages_or_deputises(participant: object, manager_ids: list[int]) -> bool:
    """The predicate's test, for a caller that already read ``decides_for_ids`` (the decision page, the inbox)."""
    line_manager_id = getattr(participant, "line_manager_id", None)
    return line_manager_id is not None and line_manager_id in manager_ids


@rules.predicate
def is_manager_or_deputy(user: object, participant: object) -> bool:
    """Whether ``user`` is ``participant``'s line manager, or that manager's deputy today (one query)."""
    return manages_or_deputises(participant, decides_for_ids(user))


@rules.predicate
def is_delegating_manager(user: object, delegation: object) -> bool:
    """Whether ``user`` is the manager who named the deputy (no query)."""
    return getattr(user, "pk", None) is not None and delegation.manager_id == user.pk


rules.add_perm("facilitation.decide_protected_time", rules.is_authenticated & is_manager_or_deputy)
