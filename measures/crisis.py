"""Crisis contacts shown when a questionnaire answer flags risk: one lookup, by region.

For now the contacts come from the ``STEADY_CRISIS_CONTACTS`` setting (a dict from a
region prefix such as ``GB`` or ``CA`` to a list of contacts); a configurable model
will replace it behind ``crisis_contacts_for``.
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_CRISIS_CONTACTS: dict[str, list[dict[str, str]]] = {
    "GB": [
        {"name": "Samaritans", "contact": "116 123", "note": "Free, any time, day or night."},
        {"name": "NHS 111", "contact": "111", "note": "For urgent help that is not an emergency."},
        {"name": "Emergency services", "contact": "999", "note": "If you or someone else is in danger now."},
    ],
    "CA": [
        {"name": "Suicide Crisis Helpline", "contact": "988", "note": "Call or text, any time."},
        {"name": "Emergency services", "contact": "911", "note": "If you or someone else is in danger now."},
    ],
}


def crisis_contacts_for(region: str) -> list[dict[str, str]]:
    """The crisis contacts for a holiday region such as ``GB-ENG`` or ``CA-ON`` (by its country prefix)."""
    contacts = getattr(settings, "STEADY_CRISIS_CONTACTS", None) or DEFAULT_CRISIS_CONTACTS
    country = (region or "GB").split("-")[0].upper()
    return list(contacts.get(country) or contacts.get("GB") or next(iter(contacts.values()), []))
