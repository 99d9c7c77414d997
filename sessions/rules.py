"""Object rules (django-rules) about cohorts: the one definition of "a facilitator of this cohort"."""

from __future__ import annotations

import rules

from accounts.rules import is_facilitator


@rules.predicate
def is_cohort_facilitator(user: object, cohort: object) -> bool:
    """Whether ``user`` is one of ``cohort``'s facilitators (one query; none without a cohort)."""
    if cohort is None or getattr(user, "pk", None) is None:
        return False
    return cohort.facilitators.filter(pk=user.pk).exists()


rules.add_perm("group_sessions.facilitate_cohort", rules.is_authenticated & is_facilitator & is_cohort_facilitator)
