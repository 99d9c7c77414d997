"""Reminder kinds about enrolment. Rows are written by ``facilitation.services``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from reminders.registry import ReminderKind, register


def enrolment_context(reminder: Any) -> dict[str, Any]:
    from facilitation.models import Enrolment

    enrolment = Enrolment.objects.select_related("cohort__programme").filter(pk=reminder.subject_id).first()
    if enrolment is None:
        return {}
    return {
        "enrolment": enrolment,
        "neutral_label": enrolment.cohort.programme.neutral_label,
        "pack_url": settings.STEADY_SITE_URL + reverse("facilitation:enrolment_pack", kwargs={"pk": enrolment.pk}),
        "home_url": settings.STEADY_SITE_URL + reverse("facilitation:participant_home"),
    }


register(
    ReminderKind(
        code="pack_not_acknowledged",
        label="The information pack is waiting for you",
        template="reminders/email/pack_not_acknowledged",
        essential=True,
        context=enrolment_context,
    )
)
register(
    ReminderKind(
        code="place_offered",
        label="A place in the group is yours",
        template="reminders/email/place_offered",
        essential=True,
        urgent=True,
        context=enrolment_context,
    )
)
