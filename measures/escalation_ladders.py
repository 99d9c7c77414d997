"""Measures' escalation ladder: a risk alert nobody has acknowledged climbs like an unanswered help request.

Same deadlines (see core.escalation and sessions' help-request ladder): the cohort's facilitators are told again
``STEADY_HELP_RESPONSE_WORKING_DAYS`` working days after the alert was raised, the service leads one working day
after that. Neutral subjects; the details stay behind sign-in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from accounts.models import User
from core.escalation import Ladder, register
from core.selectors import escalation_steps_fired
from core.working_days import add_working_days
from measures.models import RiskAlert
from measures.reminder_kinds import RISK_ALERT_ESCALATED_KIND, RISK_ALERT_OVERDUE_KIND
from measures.selectors import risk_alerts_unacknowledged_since
from reminders.services.scheduling import notify_now

RISK_LADDER = "risk_alert"
STEP_FACILITATORS = "facilitators"
STEP_SERVICE_LEAD = "service_lead"
STEPS = (STEP_FACILITATORS, STEP_SERVICE_LEAD)


def risk_alert_step_due_at(*, alert: RiskAlert, step: str) -> datetime:
    """As for a help request: the response deadline, then one working day later (the cohort's region and zone)."""
    cohort = alert.response.cohort
    days = settings.STEADY_HELP_RESPONSE_WORKING_DAYS + (0 if step == STEP_FACILITATORS else 1)
    return add_working_days(
        instant=alert.created_at, days=days, region=cohort.holiday_region, time_zone=cohort.time_zone
    )


def risk_alert_due_steps(now: datetime) -> list[tuple[int, str]]:
    """(alert id, step) pairs of unacknowledged alerts whose step is due and has not fired (two queries)."""
    # Working days are never shorter than calendar days: alerts younger than that cannot be due.
    alerts = list(risk_alerts_unacknowledged_since(now - timedelta(days=settings.STEADY_HELP_RESPONSE_WORKING_DAYS)))
    fired = escalation_steps_fired(ladder=RISK_LADDER, subject_ids=[alert.pk for alert in alerts])
    return [
        (alert.pk, step)
        for alert in alerts
        for step in STEPS
        if (alert.pk, step, 0) not in fired and now >= risk_alert_step_due_at(alert=alert, step=step)
    ]


def risk_alert_step_claim(alert_id: int, step: str, now: datetime) -> int | None:
    """Lock the alert; cycle 0 if it is still unacknowledged and ``step`` is due, else None."""
    alert = (
        RiskAlert.objects.select_for_update(of=("self",))
        .select_related("response__cohort")
        .filter(pk=alert_id, acknowledged_at__isnull=True)
        .first()
    )
    if alert is None:
        return None
    return 0 if now >= risk_alert_step_due_at(alert=alert, step=step) else None


def risk_alert_step_act(alert_id: int, step: str, cycle: int, now: datetime) -> None:
    """Tell the cohort's facilitators again (first step) or the service leads (second step)."""
    alert = RiskAlert.objects.select_related("response__cohort").get(pk=alert_id)
    cohort = alert.response.cohort
    if step == STEP_FACILITATORS:
        recipients, kind = list(cohort.facilitators.filter(is_active=True)), RISK_ALERT_OVERDUE_KIND
        context = {}
    else:
        recipients = list(User.objects.filter(is_service_lead=True, is_active=True))
        kind, context = RISK_ALERT_ESCALATED_KIND, {"cohort_name": cohort.name}
    for person in recipients:
        notify_now(kind=kind, recipient=person, subject=alert, occurrence=f"{step}-{cycle}", context=context)


register(
    Ladder(
        code=RISK_LADDER,
        steps=STEPS,
        due=risk_alert_due_steps,
        claim=risk_alert_step_claim,
        act=risk_alert_step_act,
    )
)
