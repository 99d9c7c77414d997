# --- Check-ins ---
# Each kind's context callable returns the row's stored context (label, when, first_name) plus a link,
# so the templates render the same from the dispatcher or from sessions.services.reminder_email_send.
# Subjects and bodies use the programme's neutral label only: a lock screen or a shared inbox
# must never reveal what the group is.

from reminders.registry import ReminderKind, register  # noqa: E402, RUF100


def _checkins_link(reminder) -> dict:
    from django.conf import settings
    from django.urls import reverse

    return {**(reminder.context or {}), "url": settings.STEADY_SITE_URL + reverse("sessions:checkin_list")}


def _facilitator_link(reminder) -> dict:
    from django.conf import settings
    from django.urls import reverse

    return {**(reminder.context or {}), "url": settings.STEADY_SITE_URL + reverse("facilitation:facilitator_home")}


def _participant_link(reminder) -> dict:
    from django.conf import settings
    from django.urls import reverse

    return {**(reminder.context or {}), "url": settings.STEADY_SITE_URL + reverse("facilitation:participant_home")}


register(
    ReminderKind(
        code="checkin_tomorrow",
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
        label="Someone in your group asked to talk",
        template="reminders/email/help_requested",
        essential=True,
        urgent=True,
        context=_facilitator_link,
    )
)
