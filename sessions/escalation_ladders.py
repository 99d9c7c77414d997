"""Sessions' escalation ladder: a help request no facilitator has answered (see core.escalation)."""

from __future__ import annotations

from core.escalation import Ladder, register
from sessions.selectors.help_requests import help_request_due_steps
from sessions.services.help_requests import (
    HELP_LADDER,
    STEP_FACILITATORS,
    STEP_SERVICE_LEAD,
    help_request_step_act,
    help_request_step_claim,
)

register(
    Ladder(
        code=HELP_LADDER,
        steps=(STEP_FACILITATORS, STEP_SERVICE_LEAD),
        due=help_request_due_steps,
        claim=help_request_step_claim,
        act=help_request_step_act,
    )
)
