"""Who is told when someone changes what another person may see: a registry the higher apps fill.

``core.services.access_change_record`` writes the audit row, then calls every announcer
registered here (``reminders`` registers one that puts a notice in the person's bell), so a
lower app (accounts' user admin) can announce a change without naming a higher one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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


# --- The address a change or a read came from -------------------------------------------
# Set per request by ``core.middleware.AuditAddressMiddleware`` and read by the services that
# write the access log. A context variable, not an argument: the clinical selectors and the
# services that write the log are called from dozens of views, and threading the request (or
# its address) through every signature would put the request into layers that never see it.
# A context variable is per thread and per asyncio task, so two requests never share one; outside
# a request (a Celery task, a management command) it is None, and the row says "no address".
_ADDRESS: ContextVar[str | None] = ContextVar("steady_audit_address", default=None)


def current_address() -> str | None:
    """The client address of the request being served, or None outside a request."""
    return _ADDRESS.get()


@contextmanager
def address_for(address: str | None) -> Iterator[None]:
    """Record ``address`` on every access-log row written inside the block."""
    token = _ADDRESS.set(address)
    try:
        yield
    finally:
        _ADDRESS.reset(token)
