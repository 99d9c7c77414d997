"""Facilitation's escalation ladder: tracking a protected-time request (see core.escalation)."""

from __future__ import annotations

from core.escalation import Ladder, register
from facilitation.models import PROTECTED_TIME_LADDER, ProtectedTimeStep
from facilitation.selectors.protected_time_tracking import protected_time_due_escalations
from facilitation.services.protected_time_tracking import protected_time_step_act, protected_time_step_claim

register(
    Ladder(
        code=PROTECTED_TIME_LADDER,
        steps=tuple(ProtectedTimeStep.values),
        due=lambda now: protected_time_due_escalations(now=now),
        claim=protected_time_step_claim,
        act=protected_time_step_act,
    )
)
