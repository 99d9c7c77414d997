"""The reminder engine's own kind: telling a person that someone changed their access.

``core.services.access_change_record`` (a role given or taken away in the admin, a cohort's
facilitators changed) calls the announcer registered here, so the person concerned finds the
change in their notifications and their email.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from core.audit import register_announcer
from reminders.registry import ReminderKind, register
from reminders.services.scheduling import notify_now

ACCESS_CHANGED = register(
    ReminderKind(
        code="access_changed",
        label="Your access to Steady changed",
        template="reminders/email/notice",
        essential=True,
        sample=lambda: {"title": "Your access to Steady changed", "body": "Sam Carter gave you the facilitator role."},
    )
)


@register_announcer
def announce_access_change(entry: Any) -> None:
    if entry.subject_id is None:
        return
    notify_now(
        kind=ACCESS_CHANGED.code,
        recipient=entry.subject,
        subject=entry,
        occurrence=str(entry.pk),
        context={
            "title": "Your access to Steady changed",
            "body": f"{entry.detail}. If you did not expect this, tell your service lead.",
            "link": settings.STEADY_SITE_URL + reverse("home"),
        },
    )
