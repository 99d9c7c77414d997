"""Cover: sessions whose plan needs two facilitators but whose cohort has fewer than two free that day.

Derived from the data each time, never stored: a cohort with one facilitator, a facilitator's blocked
date on such a session, or a co-facilitator who left (removed from the cohort, or an account made
inactive) all show here until cover is named. Three queries whatever the number of cohorts (two given the
sessions: ``cover_warnings_for``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from accounts.models import User
from sessions.models import BlockedDate, Cohort, GroupSession


@dataclass
class SessionCover:
    group_session: GroupSession
    free: list[User]
    away: list[User]


@dataclass
class CoverWarning:
    """One cohort's upcoming sessions that need two facilitators and do not have them."""

    cohort: Cohort
    sessions: list[SessionCover] = field(default_factory=list)

    @property
    def facilitator_count(self) -> int:
        return len(self.sessions[0].free) + len(self.sessions[0].away) if self.sessions else 0


def needs_cover_check(group_session: GroupSession, *, now: datetime) -> bool:
    """The rule ``cover_warnings`` asks the database, for sessions already read (with plan and cohort):
    scheduled, not yet ended, a plan that needs two facilitators, a cohort still open."""
    return (
        group_session.status == GroupSession.Status.SCHEDULED
        and group_session.ends_at > now
        and group_session.session_plan.needs_two_facilitators
        and group_session.cohort.status in Cohort.OPEN_STATUSES
    )


def cover_warnings(
    *, cohort_ids: Iterable[int] | None = None, facilitator: User | None = None, now: datetime | None = None
) -> list[CoverWarning]:
    """Cover warnings for the given cohorts, or ``facilitator``'s (all open cohorts when neither), soonest first."""
    now = now or timezone.now()
    sessions = GroupSession.objects.filter(
        status=GroupSession.Status.SCHEDULED,
        ends_at__gt=now,
        session_plan__needs_two_facilitators=True,
        cohort__status__in=Cohort.OPEN_STATUSES,
    )
    if cohort_ids is not None:
        sessions = sessions.filter(cohort_id__in=list(cohort_ids))
    if facilitator is not None:
        sessions = sessions.filter(cohort__facilitators=facilitator)
    return cover_warnings_for(sessions=list(sessions.select_related("cohort", "session_plan")))


def cover_warnings_for(*, sessions: list[GroupSession]) -> list[CoverWarning]:
    """Cover warnings for ``sessions`` (each one that needs cover, with its cohort and plan), soonest first.

    Two queries (the cohorts' facilitators, their blocked dates), none when there are no sessions.
    """
    sessions = sorted(sessions, key=lambda s: (s.starts_at, s.pk))
    if not sessions:
        return []
    cohorts = {s.cohort_id for s in sessions}
    team: dict[int, list[User]] = defaultdict(list)
    links = (
        Cohort.facilitators.through.objects.filter(cohort_id__in=cohorts, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__pk")
    )
    for link in links:
        team[link.cohort_id].append(link.user)
    people = {user.pk for users in team.values() for user in users}
    away = set(
        BlockedDate.objects.filter(facilitator_id__in=people, date__in={s.local_date for s in sessions}).values_list(
            "facilitator_id", "date"
        )
    )
    warnings: dict[int, CoverWarning] = {}
    for group_session in sessions:
        named = team[group_session.cohort_id]
        free = [user for user in named if (user.pk, group_session.local_date) not in away]
        if len(free) >= 2:
            continue
        warning = warnings.setdefault(group_session.cohort_id, CoverWarning(cohort=group_session.cohort))
        warning.sessions.append(
            SessionCover(group_session=group_session, free=free, away=[u for u in named if u not in free])
        )
    return list(warnings.values())
