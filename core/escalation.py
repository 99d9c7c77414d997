"""The one registration point for escalation ladders: steps that fire once each when something waits too long.

A ladder is a sequence of steps about one kind of subject (a protected-time
request waiting for its manager, a help request no facilitator has answered,
a risk alert nobody has acknowledged). A higher app declares its ladder once,
in its ``escalation_ladders.py`` (imported by ``CoreConfig.ready``)::

    from core.escalation import Ladder, register

    register(Ladder(
        code="help_request",
        steps=("facilitators", "service_lead"),
        due=help_request_due_steps,    # (now) -> iterable of (subject id, step) that look due
        claim=help_request_claim,      # (subject id, step, now) -> cycle, or None if not due after all
        act=help_request_act,          # (subject id, step, cycle, now) -> None: notify people
    ))

``core.services.escalation_step_fire`` calls ``claim`` (which locks the
subject and re-checks), records an ``EscalationStep`` row unique per ladder,
subject, step and cycle, and only then calls ``act``, all in one transaction:
a second beat or a repeated job hits the constraint and sends nothing. The
beat runs ``core.tasks.escalation_ladders_walk``, which walks every ladder.
A ``cycle`` restarts a ladder for the same subject (a request re-submitted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Ladder:
    code: str
    steps: tuple[str, ...]
    # (now) -> (subject id, step) pairs that look due and have not fired; a cheap read, re-checked by ``claim``.
    due: Callable[[datetime], Iterable[tuple[int, str]]]
    # (subject id, step, now) -> the cycle to record, or None when the step is not due (runs under the lock).
    claim: Callable[[int, str, datetime], int | None]
    # (subject id, step, cycle, now) -> None: write the notifications, inside the same transaction.
    act: Callable[[int, str, int, datetime], None]


_LADDERS: dict[str, Ladder] = {}


def register(ladder: Ladder) -> Ladder:
    existing = _LADDERS.get(ladder.code)
    if existing is not None and existing != ladder:
        raise ValueError(f"Escalation ladder {ladder.code!r} is registered twice with different settings.")
    if len(set(ladder.steps)) != len(ladder.steps) or not ladder.steps:
        raise ValueError(f"Escalation ladder {ladder.code!r} needs distinct, non-empty steps.")
    _LADDERS[ladder.code] = ladder
    return ladder


def get(code: str) -> Ladder:
    try:
        return _LADDERS[code]
    except KeyError:
        raise LookupError(f"No escalation ladder {code!r} is registered.") from None


def all_ladders() -> list[Ladder]:
    return [_LADDERS[code] for code in sorted(_LADDERS)]


def autodiscover() -> None:
    autodiscover_modules("escalation_ladders")
