"""Reads for calendar feeds: whose feed a token opens, and the sessions it holds."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, Max, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from sessions.models import (
    CalendarFeed,
    CheckIn,
    Cohort,
    Enrolment,
    GroupSession,
)


def calendar_feed_user(*, token: str) -> User:
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed is None:
        raise Http404
    return feed.user


def calendar_feed_sessions(*, user: User) -> list[GroupSession]:
    """Sessions for the user's calendar: places enrolled or completed, and cohorts they facilitate."""
    member = Q(cohort__facilitators=user) | Q(
        cohort__enrolments__participant=user, cohort__enrolments__status__in=Enrolment.PLACE_STATUSES
    )
    pks = GroupSession.objects.filter(member).values("pk")
    # Whether the user runs the cohort (their events name cohort and week), in the same query.
    runs = Cohort.facilitators.through.objects.filter(cohort_id=OuterRef("cohort_id"), user_id=user.pk)
    return list(
        GroupSession.objects.filter(pk__in=pks)
        .annotate(facilitating=Exists(runs))
        .select_related("cohort__programme")
        .order_by("starts_at")
    )


def calendar_feed_facilitated_cohort_ids(*, user: User) -> set[int]:
    """Cohorts the user runs: their calendar events say which cohort and week."""
    return set(Cohort.objects.filter(facilitators=user).values_list("pk", flat=True))


# Past check-ins stay in the feed this long, so a calendar keeps recent history.
CHECKIN_FEED_HISTORY = timedelta(days=90)


def calendar_feed_checkins(*, user: User) -> list[CheckIn]:
    """Check-ins for the user's calendar, as participant or facilitator (cancelled ones too, marked so)."""
    since = timezone.now() - CHECKIN_FEED_HISTORY
    return list(
        CheckIn.objects.filter(Q(participant=user) | Q(facilitator=user), starts_at__gte=since).order_by("starts_at")
    )


def calendar_feed_places_changed(*, user: User) -> datetime | None:
    """When the user's places last changed: a withdrawal empties the feed without touching any session."""
    return Enrolment.objects.filter(participant=user).aggregate(latest=Max("updated_at"))["latest"]
