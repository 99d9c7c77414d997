"""Who may still join a group: the join cut-off, safeness conflicts, and a facilitator's recorded reason to go ahead.

Both rules protect the group's safeness. The cut-off closes a group to newcomers once its programme's
cut-off week is held; a safeness conflict is someone close at work (line manager, direct report, and
with ``STEADY_SAFENESS_SAME_TEAM`` the same team) already in the group. Either one stops an invitation
or a confirmation with a message for the facilitator, who may go ahead for one person by giving a
reason (a ``PlaceOverride``); without a reason it is refused.
"""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import NotAllowed
from core.services import audit_change_record
from reminders.services.scheduling import reminder_schedule
from sessions.models import Cohort, Enrolment, PlaceOverride
from sessions.selectors.joining import (
    SafenessConflict,
    cohort_join_closed,
    cohort_next_suggestion,
    place_override_exists,
    safeness_conflicts,
)

WAITLIST_CLOSED_OCCURRENCE = "join-closed"


class GoAheadNeeded(NotAllowed):
    """A rule stops this person joining unless a facilitator gives a reason to go ahead."""

    def __init__(self, message: str, *, suggestion: Cohort | None = None) -> None:
        super().__init__(message, field="reason")
        self.suggestion = suggestion


class JoinClosed(GoAheadNeeded):
    """The group is closed to newcomers."""


class SafenessWarning(GoAheadNeeded):
    """Someone close to the person at work is already in the group."""

    def __init__(self, message: str, *, conflicts: list[SafenessConflict], suggestion: Cohort | None = None) -> None:
        super().__init__(message, suggestion=suggestion)
        self.conflicts = conflicts


def _suggestion_text(suggestion: Cohort | None) -> str:
    if suggestion is None:
        return _("Offer them a place in a later group.")
    return _("The next group, %(name)s, starts on %(date)s: offer them a place there.") % {
        "name": suggestion.name,
        "date": formats.date_format(suggestion.start_date, "l j F Y"),
    }


def _override_or_refuse(
    *,
    refusal: type[GoAheadNeeded],
    kind: str,
    warning: str,
    before: list[str],
    after: str,
    cohort: Cohort,
    email: str,
    enrolment: Enrolment | None,
    reason: str,
    by: User | None,
    **refusal_kwargs,
) -> PlaceOverride:
    """Without a reason from a facilitator, raise ``refusal`` (the warning, a later group, how to go ahead);
    with one, record it as a ``PlaceOverride`` of ``kind`` and return it."""
    if not reason or by is None:
        suggestion = cohort_next_suggestion(cohort=cohort)
        raise refusal(" ".join([*before, _suggestion_text(suggestion), after]), suggestion=suggestion, **refusal_kwargs)
    return PlaceOverride.objects.create(
        cohort=cohort,
        kind=kind,
        email=email,
        enrolment=enrolment,
        reason=reason,
        warning=warning,
        decided_by=by,
    )


def join_checks(
    *, cohort: Cohort, email: str, person: User | None, enrolment: Enrolment | None, reason: str, by: User | None
) -> None:
    """Refuse a newcomer to a closed group, or a person with a safeness conflict, unless ``reason`` is given.

    A reason (from a facilitator, ``by``) is recorded as a ``PlaceOverride`` and holds for that person in
    this cohort from then on (the confirmation does not ask again). Callers hold the transaction.
    """
    email = email.strip().lower()
    reason = reason.strip()
    name = person.first_name if person is not None else email
    if cohort_join_closed(cohort=cohort) and not place_override_exists(
        cohort=cohort, email=email, kind=PlaceOverride.Kind.LATE_JOIN
    ):
        week = cohort.programme.join_closes_after_week
        warning = _(
            "This group closed to new people once week %(week)s was held, so that it stays a settled, safe group."
        ) % {"week": week}
        override = _override_or_refuse(
            refusal=JoinClosed,
            kind=PlaceOverride.Kind.LATE_JOIN,
            warning=warning,
            before=[warning],
            after=_("To add %(name)s to this group anyway, give your reason.") % {"name": name},
            cohort=cohort,
            email=email,
            enrolment=enrolment,
            reason=reason,
            by=by,
        )
        audit_change_record(actor=by, record=override, action="late_join_override", subject=person)
    if person is None:
        return
    conflicts = safeness_conflicts(cohort=cohort, person=person)
    if not conflicts or place_override_exists(cohort=cohort, email=email, kind=PlaceOverride.Kind.SAFENESS):
        return
    warning = " ".join(conflict.describe() for conflict in conflicts)
    override = _override_or_refuse(
        refusal=SafenessWarning,
        kind=PlaceOverride.Kind.SAFENESS,
        warning=warning,
        before=[
            _("Before %(name)s joins: %(warning)s") % {"name": name, "warning": warning},
            _("Being in a group with someone close at work can make it harder to speak freely."),
        ],
        after=_("You can still go ahead: give your reason."),
        cohort=cohort,
        email=email,
        enrolment=enrolment,
        reason=reason,
        by=by,
        conflicts=conflicts,
    )
    audit_change_record(actor=by, record=override, action="safeness_override", subject=person)


def waitlist_closed_notify(*, cohort: Cohort, enrolments: list[Enrolment] | None = None) -> int:
    """Tell each waitlisted person, once, that this group has closed and a later one will be offered."""
    if enrolments is None:
        enrolments = list(
            Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.WAITLISTED).select_related("participant")
        )
    for enrolment in enrolments:
        reminder_schedule(
            kind="waitlist_closed",
            recipient=enrolment.participant,
            subject=enrolment,
            due_at=timezone.now(),
            occurrence=WAITLIST_CLOSED_OCCURRENCE,
        )
    return len(enrolments)
