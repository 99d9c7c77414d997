"""The one registration point for reminder kinds.

An app declares its kinds once, at import time of its ``reminder_kinds.py``
(imported by ``RemindersConfig.ready`` through autodiscovery)::

    from reminders.registry import ReminderKind, register

    register(ReminderKind(
        code="session_tomorrow",
        label="The group meets tomorrow",
        template="reminders/email/session_tomorrow",   # .txt, .html, _subject.txt
        essential=True,        # cannot be turned off in preferences
        urgent=False,          # urgent ones ignore quiet hours
        context=session_context,   # optional: row -> extra template context (fetch the subject here)
        sample=session_sample,     # optional: () -> sample context, for previews and the neutrality test
        audience=("participant",), # optional: roles that receive it (the preferences page lists only these)
    ))

Templates get ``row.context`` + ``kind.context(row)`` + ``recipient``, ``reminder``,
``kind``, ``site_url``, ``preferences_url`` and (non-essential kinds)
``unsubscribe_url``, rendered in the recipient's time zone. Subject lines and
first lines must not reveal what the group is about: use the programme's
``neutral_label``.

Rows are then written with ``reminders.services.scheduling.reminder_schedule``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class ReminderKind:
    code: str
    label: str
    template: str
    essential: bool = False
    urgent: bool = False
    # Builds extra template context from the reminder row (the subject, links, times).
    context: Callable[[Any], dict[str, Any]] | None = None
    # Sample context for previews and for the test that no subject line reveals the group's nature;
    # used instead of ``context(row)`` when rendering without a real subject.
    sample: Callable[[], dict[str, Any]] | None = None
    # The roles (accounts.models.Role values) whose holders receive it, so the preferences page
    # lists only what concerns the person. Empty: anyone may receive it.
    audience: tuple[str, ...] = ()


_KINDS: dict[str, ReminderKind] = {}


def register(kind: ReminderKind) -> ReminderKind:
    existing = _KINDS.get(kind.code)
    if existing is not None and existing != kind:
        raise ValueError(f"Reminder kind {kind.code!r} is registered twice with different settings.")
    _KINDS[kind.code] = kind
    return kind


def get_kind(code: str) -> ReminderKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise LookupError(f"Unknown reminder kind {code!r}; register it in an app's reminder_kinds.py.") from None


def all_kinds() -> list[ReminderKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.code)


def autodiscover() -> None:
    autodiscover_modules("reminder_kinds")
