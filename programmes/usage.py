"""Who uses a programme version: higher apps register how to count their uses; programmes never names them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Expression, Value
from django.db.models.functions import Coalesce


@dataclass(frozen=True)
class ProgrammeUse:
    """``count()`` returns an integer expression over ``Programme`` (use ``OuterRef("pk")``)."""

    name: str
    count: Callable[[], Expression]


_uses: dict[str, ProgrammeUse] = {}


def programme_use_register(use: ProgrammeUse) -> None:
    """Register once, from the using app's ``AppConfig.ready``; a name may be taken only once."""
    if use.name in _uses and _uses[use.name] != use:
        raise ValueError(f"A programme use named {use.name!r} is already registered.")
    _uses[use.name] = use


def programme_use_count() -> Expression:
    """How many things use each programme version, summed over every registered use (0 when none)."""
    total: Expression = Value(0)
    for use in _uses.values():
        total = total + Coalesce(use.count(), Value(0))
    return total
