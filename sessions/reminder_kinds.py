"""Reminder kinds about group sessions and places; rows are written by sessions' services."""

from __future__ import annotations

from typing import Any

from core.links import absolute_url, role_home_url_name
from reminders.registry import ReminderKind, register
from reminders.samples import sample_context
from sessions.calendar import calendar_build
from sessions.models import Enrolment, GroupSession
from sessions.scheduling import utc_to_local


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
        sample=sample_context,
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
        sample=sample_context,
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
        sample=sample_context,
        label="A session moved or was cancelled",
        template="reminders/email/session_changed",
        essential=True,
        urgent=True,
        context=session_context,
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


def _participant_link(reminder) -> dict:
    return {**(reminder.context or {}), "url": absolute_url(role_home_url_name("participant"))}


register(
    ReminderKind(
        code="checkin_tomorrow",
        audience=("participant",),
        sample=sample_context,
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
        sample=sample_context,
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
        sample=sample_context,
        label="Someone in your group asked to talk",
        template="reminders/email/help_requested",
        essential=True,
        urgent=True,
        context=_facilitator_link,
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
        sample=sample_context,
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
        sample=sample_context,
        label="A place in the group is yours",
        template="reminders/email/place_offered",
        essential=True,
        urgent=True,
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
