"""The material release rule: which programme materials a participant may open, and when."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet

from programmes.models import Material
from sessions.models import (
    Cohort,
    GroupSession,
)
from sessions.scheduling import utc_to_local


def week_started(*, group_session: GroupSession, today_local: date) -> bool:
    """The week of a session starts on the Monday of its calendar week (cohort's local time)."""
    return group_session.local_date - timedelta(days=group_session.local_date.weekday()) <= today_local


def released_plan_ids(*, sessions: list[GroupSession], cohort: Cohort, now: datetime) -> tuple[set[int], set[int]]:
    """Return (plans whose session was held, plans whose week has started)."""
    today_local = utc_to_local(now, cohort.time_zone).date()
    held = {s.session_plan_id for s in sessions if s.status == GroupSession.Status.HELD}
    started = {
        s.session_plan_id
        for s in sessions
        if s.status != GroupSession.Status.CANCELLED and week_started(group_session=s, today_local=today_local)
    }
    return held, started


def materials_query(*, programme_ids, held_ids, started_ids) -> QuerySet[Material]:
    rule = (
        Q(release=Material.Release.ON_ENROLMENT, session_plan__programme_id__in=programme_ids)
        | Q(release=Material.Release.AFTER_SESSION, session_plan_id__in=held_ids)
        | Q(release=Material.Release.WEEK_START, session_plan_id__in=started_ids)
    )
    return (
        Material.objects.filter(rule, audience=Material.Audience.PARTICIPANTS)
        .select_related("session_plan")
        .order_by("session_plan__kind", "session_plan__number", "position", "pk")
    )
