"""Reminder kinds about group sessions and places; rows are written by sessions' services."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from core.links import absolute_url, role_home_url_name
from core.selectors import crisis_contacts_for
from reminders.registry import ReminderKind, register
from reminders.samples import sample_context
from sessions.calendar import calendar_build
from sessions.models import CheckinOffer, Enrolment, GroupSession
from sessions.scheduling import utc_to_local


def session_sample() -> dict[str, Any]:
    """Preview context: the shared neutral values plus a scheduled group session."""
    return {
        **sample_context(),
        "group_session": SimpleNamespace(status=GroupSession.Status.SCHEDULED, cancel_reason=""),
    }


def session_context(reminder: Any) -> dict[str, Any]:
    """Template context for a reminder whose subject is a group session."""
    group_session = (
        GroupSession.objects.select_related("cohort__programme", "session_plan").filter(pk=reminder.subject_id).first()
    )
    if group_session is None:
        return {}
    cohort = group_session.cohort
    time_zone = getattr(reminder.recipient, "time_zone", "") or cohort.time_zone
    return {
        "group_session": group_session,
        "neutral_label": cohort.programme.neutral_label,
        "local_start": utc_to_local(group_session.starts_at, time_zone),
        "local_end": utc_to_local(group_session.ends_at, time_zone),
        "venue": cohort.venue,
        "video_link": cohort.video_link,
        # The engine may attach this file; the link is in the text either way.
        "ics_url": absolute_url("sessions:session_ics", pk=group_session.pk),
        "home_url": absolute_url(role_home_url_name("participant")),
        # For a sender that attaches files: (filename, content, mimetype). The text has the link either way.
        "attachments": [
            (f"session-{group_session.local_date:%Y-%m-%d}.ics", calendar_build([group_session]), "text/calendar")
        ],
    }


register(
    ReminderKind(
        code="session_tomorrow",
        audience=("participant",),
        sample=session_sample,
        label="The group meets tomorrow",
        template="reminders/email/session_tomorrow",
        essential=False,
        context=session_context,
    )
)
register(
    ReminderKind(
        code="session_in_an_hour",
        audience=("participant",),
        sample=session_sample,
        label="The group meets in an hour (if you asked for it)",
        template="reminders/email/session_in_an_hour",
        essential=False,
        context=session_context,
    )
)
register(
    ReminderKind(
        code="session_changed",
        audience=("participant",),
        sample=session_sample,
        label="A session moved or was cancelled",
        template="reminders/email/session_changed",
        essential=True,
        urgent=True,
        context=session_context,
    )
)


def heavy_week_context(reminder: Any) -> dict[str, Any]:
    """The session's context, plus who the facilitators are and the crisis contacts for the cohort's region."""
    context = session_context(reminder)
    group_session = context.get("group_session")
    if group_session is None:
        return context
    cohort = group_session.cohort
    return {
        **context,
        "facilitator_names": ", ".join(f.first_name for f in cohort.facilitators.order_by("first_name")),
        "crisis_contacts": crisis_contacts_for(region=cohort.holiday_region),
    }


def heavy_week_sample() -> dict[str, Any]:
    return {**sample_context(), "facilitator_names": "Sam, Priya", "crisis_contacts": crisis_contacts_for(region="")}


register(
    ReminderKind(
        code="heavy_week_note",
        audience=("participant",),
        sample=heavy_week_sample,
        label="A note before a heavier session",
        template="reminders/email/heavy_week_note",
        essential=True,
        context=heavy_week_context,
    )
)


# --- Check-ins ---
# Each kind's context callable returns the row's stored context (label, when, first_name) plus a link,
# so the templates render the same wherever the dispatcher runs.
# Subjects and bodies use the programme's neutral label only: a lock screen or a shared inbox
# must never reveal what the group is.


def _checkins_link(reminder) -> dict:
    return {**(reminder.context or {}), "url": absolute_url("sessions:checkin_list")}


def _facilitator_link(reminder) -> dict:
    return {**(reminder.context or {}), "url": absolute_url(role_home_url_name("facilitator"))}


def _help_context(reminder) -> dict:
    """The facilitators' (or service lead's) home, and the crisis contacts of the cohort's region for the body."""
    context = reminder.context or {}
    return {
        **context,
        "url": absolute_url(role_home_url_name(context.get("audience", "facilitator"))),
        "crisis_contacts": crisis_contacts_for(region=context.get("region", "")),
    }


def _participant_link(reminder) -> dict:
    return {**(reminder.context or {}), "url": absolute_url(role_home_url_name("participant"))}


register(
    ReminderKind(
        code="checkin_tomorrow",
        audience=("participant",),
        sample=session_sample,
        label="A one-to-one meeting tomorrow",
        template="reminders/email/checkin_tomorrow",
        essential=False,
        urgent=False,
        context=_checkins_link,
    )
)
register(
    ReminderKind(
        code="booster_next_week",
        audience=("participant",),
        sample=session_sample,
        label="A follow-up group meeting next week",
        template="reminders/email/booster_next_week",
        essential=False,
        urgent=False,
        context=_participant_link,
    )
)
register(
    ReminderKind(
        code="help_requested",
        audience=("facilitator",),
        sample=session_sample,
        label="Someone in your group asked to talk",
        template="reminders/email/help_requested",
        essential=True,
        urgent=True,
        context=_help_context,
    )
)
register(
    ReminderKind(
        code="help_request_overdue",
        audience=("facilitator",),
        sample=sample_context,
        label="A request to talk is past its response time",
        template="reminders/email/help_request_overdue",
        essential=True,
        urgent=True,
        context=_help_context,
    )
)
register(
    ReminderKind(
        code="help_request_escalated",
        audience=("service_lead",),
        sample=sample_context,
        label="A request to talk was not answered in time",
        template="reminders/email/help_request_escalated",
        essential=True,
        urgent=True,
        context=_help_context,
    )
)
register(
    ReminderKind(
        code="place_withdrawn_notice",
        audience=("facilitator",),
        sample=sample_context,
        label="Someone left your group",
        template="reminders/email/place_withdrawn_notice",
        essential=True,
        urgent=True,
        context=_help_context,
    )
)


def checkin_offer_context(reminder: Any) -> dict[str, Any]:
    offer = (
        CheckinOffer.objects.select_related("offered_by", "cohort__programme").filter(pk=reminder.subject_id).first()
    )
    if offer is None:
        return {}
    return {
        "neutral_label": offer.cohort.programme.neutral_label,
        "facilitator_first_name": offer.offered_by.first_name,
        "url": absolute_url("sessions:checkin_offer", pk=offer.pk),
    }


def checkin_offer_sample() -> dict[str, Any]:
    return {**sample_context(), "facilitator_first_name": "Sam"}


register(
    ReminderKind(
        code="checkin_offered",
        audience=("participant",),
        sample=checkin_offer_sample,
        label="A facilitator offers you a one-to-one conversation",
        template="reminders/email/checkin_offered",
        essential=True,
        context=checkin_offer_context,
    )
)


# --- Places ---


def enrolment_context(reminder: Any) -> dict[str, Any]:
    enrolment = Enrolment.objects.select_related("cohort__programme").filter(pk=reminder.subject_id).first()
    if enrolment is None:
        return {}
    return {
        "enrolment": enrolment,
        "neutral_label": enrolment.cohort.programme.neutral_label,
        "pack_url": absolute_url("sessions:enrolment_pack", pk=enrolment.pk),
        "home_url": absolute_url(role_home_url_name("participant")),
    }


register(
    ReminderKind(
        code="pack_not_acknowledged",
        audience=("participant",),
        sample=session_sample,
        label="The information pack is waiting for you",
        template="reminders/email/pack_not_acknowledged",
        essential=True,
        context=enrolment_context,
    )
)
register(
    ReminderKind(
        code="place_offered",
        audience=("participant",),
        sample=session_sample,
        label="A place in the group is yours",
        template="reminders/email/place_offered",
        essential=True,
        urgent=True,
        context=enrolment_context,
    )
)
register(
    ReminderKind(
        code="waitlist_closed",
        audience=("participant",),
        sample=sample_context,
        label="The group you were waiting for has closed to new people",
        template="reminders/email/waitlist_closed",
        essential=True,
        context=enrolment_context,
    )
)
register(
    ReminderKind(
        code="place_declined",
        audience=("facilitator",),
        sample=sample_context,
        label="Someone you invited said “not for me now”",
        template="reminders/email/place_declined",
        essential=False,
    )
)
