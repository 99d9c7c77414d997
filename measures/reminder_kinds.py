"""Reminder kinds of the measures app: a risk answer tells the cohort's facilitators at once.

The subject and first line say nothing clinical ("Please look at Steady today"); the
details are behind sign-in, on the facilitator's home.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from reminders.registry import ReminderKind, register
from reminders.samples import sample_context

RISK_ALERT_KIND = "measures_risk_alert"


def _alerts_link(reminder: Any) -> dict[str, Any]:
    return {"url": settings.STEADY_SITE_URL + reverse("measures:risk_alert_list")}


register(
    ReminderKind(
        code=RISK_ALERT_KIND,
        audience=("facilitator",),
        sample=sample_context,
        label="Someone in your group may need you today",
        template="measures/email/risk_alert",
        essential=True,
        urgent=True,
        context=_alerts_link,
    )
)
