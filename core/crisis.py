"""Crisis contacts: where to turn right now, by bank-holiday region.

TEMPORARY: today's built-in defaults only, so the heavy-week note can show them. The service's own,
editable list (a core model with this same selector) replaces this module; callers keep calling
``crisis_contacts_for(region=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CrisisContact:
    name: str
    number: str
    hours: str


UK_DEFAULTS = (
    CrisisContact(name=_("Samaritans"), number="116 123", hours=_("any time, day or night")),
    CrisisContact(name=_("NHS 111"), number="111", hours=_("any time, for urgent help")),
    CrisisContact(name=_("Emergency services"), number="999", hours=_("if a life is at risk")),
)
CANADA_DEFAULTS = (
    CrisisContact(name=_("Suicide Crisis Helpline"), number="988", hours=_("any time, call or text")),
    CrisisContact(name=_("Emergency services"), number="911", hours=_("if a life is at risk")),
)


def crisis_contacts_for(*, region: str) -> list[CrisisContact]:
    """The crisis contacts for a region code such as ``GB-ENG`` or ``CA-ON`` (UK defaults otherwise)."""
    if (region or "").upper().startswith("CA"):
        return list(CANADA_DEFAULTS)
    return list(UK_DEFAULTS)
