"""Reminder kinds of the measures app: a risk answer tells the cohort's facilitators at once; questionnaires
that open remind the participant once per time point.

The subject and first line say nothing clinical ("Please look at Steady today"); the
details are behind sign-in, on the facilitator's home.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from core.links import absolute_url, role_home_url_name
from reminders.registry import ReminderKind, register
from reminders.samples import sample_context
from sessions.models import Cohort

RISK_ALERT_KIND = "measures_risk_alert"
QUESTIONNAIRE_DUE_KIND = "measures_questionnaire_due"
RISK_ALERT_OVERDUE_KIND = "measures_risk_alert_overdue"
RISK_ALERT_ESCALATED_KIND = "measures_risk_alert_escalated"


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
# The escalation ladder (measures/escalation_ladders.py): unacknowledged, the facilitators are told again,
# then the service leads, on the help-request deadlines.
register(
    ReminderKind(
        code=RISK_ALERT_OVERDUE_KIND,
        audience=("facilitator",),
        sample=sample_context,
        label="Something on your home page has waited past its time",
        template="measures/email/risk_alert_overdue",
        essential=True,
        urgent=True,
        context=_alerts_link,
    )
)


def _lead_home_link(reminder: Any) -> dict[str, Any]:
    return {**(reminder.context or {}), "url": absolute_url(role_home_url_name("service_lead"))}


register(
    ReminderKind(
        code=RISK_ALERT_ESCALATED_KIND,
        audience=("service_lead",),
        sample=lambda: {**sample_context(), "cohort_name": "Spring group"},
        label="A group's facilitators have not yet responded to something that needs them",
        template="measures/email/risk_alert_escalated",
        essential=True,
        urgent=True,
        context=_lead_home_link,
    )
)


def _questionnaire_context(reminder: Any) -> dict[str, Any]:

    cohort = Cohort.objects.select_related("programme").filter(pk=reminder.subject_id).first()
    if cohort is None:
        return {}
    return {
        "neutral_label": cohort.programme.neutral_label,
        "url": settings.STEADY_SITE_URL + reverse("measures:my_scores"),
    }


register(
    ReminderKind(
        code=QUESTIONNAIRE_DUE_KIND,
        audience=("participant",),
        sample=sample_context,
        label="A few short questions are ready for you",
        template="measures/email/questionnaire_due",
        essential=False,
        context=_questionnaire_context,
    )
)
