"""Facilitation's listeners on sessions' actions (protected time follows places and sessions); its cohort-page link.

Registered once, from ``FacilitationConfig.ready``; see ``sessions.listeners`` for the events.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from facilitation.models import ProtectedTimeRequest
from facilitation.services.protected_time import protected_time_request_draft, protected_time_withdraw
from facilitation.services.protected_time_changes import protected_time_add_sessions, protected_time_sessions_changed
from sessions.cohort_links import CohortLink, cohort_link_register
from sessions.listeners import Listener, register
from sessions.models import Cohort, Enrolment, GroupSession


def draft_request(*, enrolment: Enrolment, by: User | None) -> None:
    """A confirmed place needs the line manager's agreement for each session: draft the request."""
    protected_time_request_draft(enrolment=enrolment, actor=by)


def _open_requests(**filters: object):
    return (
        ProtectedTimeRequest.objects.filter(**filters)
        .exclude(status=ProtectedTimeRequest.Status.WITHDRAWN)
        .order_by("pk")
    )


def withdraw_request(*, enrolment: Enrolment, by: User) -> None:
    """A place that ends takes its request with it."""
    for request in _open_requests(enrolment=enrolment):
        protected_time_withdraw(request=request, actor=by, on_behalf=True)


def follow_session_change(*, group_session: GroupSession, old_starts_at: datetime | None) -> None:
    """A moved or cancelled session updates each request's line (and re-asks the manager if decided)."""
    protected_time_sessions_changed(group_session=group_session, old_starts_at=old_starts_at)


def ask_for_boosters(*, cohort: Cohort, boosters: list[GroupSession]) -> None:
    """Boosters settled after the last weekly session: bring their lines up to date, add missing ones."""
    for booster in boosters:
        protected_time_sessions_changed(group_session=booster)
    protected_time_add_sessions(cohort=cohort)


def withdraw_cohort_requests(*, cohort: Cohort, by: User) -> None:
    """A cancelled cohort needs no one's time: withdraw every open request."""
    for request in _open_requests(enrolment__cohort=cohort):
        protected_time_withdraw(request=request, actor=by, on_behalf=True)


def register_listeners() -> None:
    cohort_link_register(
        CohortLink(url_name="facilitation:protected_time_matrix", label=_("Protected time: who is covered"))
    )
    register(Listener(event="place_confirmed", name="protected_time_draft", handler=draft_request))
    register(Listener(event="place_withdrawn", name="protected_time_withdraw", handler=withdraw_request))
    register(Listener(event="session_changed", name="protected_time_lines", handler=follow_session_change))
    register(Listener(event="boosters_settled", name="protected_time_boosters", handler=ask_for_boosters))
    register(Listener(event="cohort_cancelled", name="protected_time_withdraw_all", handler=withdraw_cohort_requests))
