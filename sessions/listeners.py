"""Listeners: how a higher app joins in an action that starts in sessions, declared in one place.

Sessions never names the apps above it. When one of its actions must start
work in a higher app (a confirmed place needs a protected-time request, a
moved session re-asks the line manager, holding the last weekly session asks
for the boosters' time), the action calls ``emit(event, ...)`` and every
listener registered for that event runs, in registration order, inside the
action's transaction (so a listener's refusal undoes the whole action).

A higher app registers its listeners from its ``AppConfig.ready``::

    from sessions.listeners import Listener, register

    register(Listener(event="place_confirmed", name="protected_time_draft", handler=draft_request))

Each event's keyword arguments are listed in ``EVENTS``. This is the only
mechanism for it: no Django signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

# Event -> the keyword arguments its handlers receive (and when it is emitted).
EVENTS: dict[str, tuple[str, ...]] = {
    # A place was confirmed (directly or from the waitlist).
    "place_confirmed": ("enrolment", "by"),
    # A place ended before the cohort did (withdrawn by the participant or a facilitator).
    "place_withdrawn": ("enrolment", "by"),
    # A session moved or was cancelled; ``old_starts_at`` is its start before the change.
    "session_changed": ("group_session", "old_starts_at"),
    # The last weekly session was held and the boosters were (re)scheduled from its date.
    "boosters_settled": ("cohort", "boosters"),
    # The whole cohort was cancelled (its sessions are cancelled already).
    "cohort_cancelled": ("cohort", "by"),
}


class ListenerClash(ImproperlyConfigured):
    """A listener was registered for an unknown event, or twice under one name."""


@dataclass(frozen=True)
class Listener:
    event: str
    # Unique per event, for error messages and for tests to find it.
    name: str
    handler: Callable[..., None]


_LISTENERS: dict[str, list[Listener]] = {event: [] for event in EVENTS}


def register(listener: Listener) -> Listener:
    """Add ``listener``; refuse an unknown event or a name already taken for that event."""
    if listener.event not in EVENTS:
        raise ListenerClash(
            f"Unknown sessions event {listener.event!r} for listener {listener.name!r}; events: {sorted(EVENTS)}."
        )
    taken = [existing for existing in _LISTENERS[listener.event] if existing.name == listener.name]
    if taken:
        raise ListenerClash(f"A listener named {listener.name!r} is already registered for {listener.event!r}.")
    _LISTENERS[listener.event].append(listener)
    return listener


def listeners_for(event: str) -> list[Listener]:
    return list(_LISTENERS[event])


def emit(event: str, **kwargs: object) -> None:
    """Run every listener of ``event`` with ``kwargs`` (exactly the event's arguments)."""
    expected = EVENTS[event]
    if set(kwargs) != set(expected):
        raise TypeError(f"{event} takes {expected}, not {tuple(kwargs)}.")
    for listener in _LISTENERS[event]:
        listener.handler(**kwargs)
