"""Who is told when someone changes what another person may see: a registry the higher apps fill.

``core.services.access_change_record`` writes the audit row, then calls every announcer
registered here (``reminders`` registers one that puts a notice in the person's bell), so a
lower app (accounts' user admin) can announce a change without naming a higher one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Announcer = Callable[[Any], None]

_ANNOUNCERS: list[Announcer] = []


def register_announcer(announcer: Announcer) -> Announcer:
    """Call ``announcer(entry)`` for every recorded access change, inside its transaction."""
    if announcer not in _ANNOUNCERS:
        _ANNOUNCERS.append(announcer)
    return announcer


def announcers() -> tuple[Announcer, ...]:
    return tuple(_ANNOUNCERS)
