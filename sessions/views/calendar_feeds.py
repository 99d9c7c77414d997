"""Calendar pages: the secret subscription feed, one session's .ics, a new address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import role_required
from core.http import safe_next
from sessions.calendar import calendar_build, calendar_validators
from sessions.selectors.access import (
    group_session_get_for_member,
)
from sessions.selectors.calendar_feeds import (
    calendar_feed_checkins,
    calendar_feed_facilitated_cohort_ids,
    calendar_feed_places_changed,
    calendar_feed_sessions,
    calendar_feed_user,
)
from sessions.services.calendar_feeds import calendar_feed_rotate as calendar_feed_rotate_service


@login_required
@require_POST
def calendar_feed_rotate(request: HttpRequest) -> HttpResponse:
    feed = calendar_feed_rotate_service(user=request.user)
    if feed.rotated_at is None:
        messages.success(request, _("Your calendar address is ready: add it to your calendar app."))
    else:
        messages.success(
            request, _("Your calendar address is new. The old one no longer works; add the new one to your calendar.")
        )
    return redirect(safe_next(request, "home"))


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret subscription feed: answers 304 when nothing changed since the calendar last asked."""
    user = calendar_feed_user(token=token)
    sessions = calendar_feed_sessions(user=user)
    checkins = calendar_feed_checkins(user=user)
    etag, last_modified = calendar_validators(sessions, checkins)
    places_changed = calendar_feed_places_changed(user=user)
    if places_changed and (last_modified is None or places_changed > last_modified):
        last_modified = places_changed
    last_modified_ts = int(last_modified.timestamp()) if last_modified else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified_ts)
    if not_modified is not None:
        return not_modified
    detailed = {s.cohort_id for s in sessions if s.facilitating}
    body = calendar_build(sessions, name="Steady", detailed_cohorts=detailed, checkins=checkins)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    if last_modified_ts:
        response["Last-Modified"] = http_date(last_modified_ts)
    response["Cache-Control"] = "private, max-age=900"
    return response


@role_required("participant", "facilitator")
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    group_session = group_session_get_for_member(user=request.user, pk=pk)
    detailed = calendar_feed_facilitated_cohort_ids(user=request.user)
    response = HttpResponse(
        calendar_build([group_session], detailed_cohorts=detailed), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{group_session.local_date:%Y-%m-%d}.ics"'
    return response
