"""Crisis contacts: the validation of a number, the built-in defaults and the writes (the read is in core.selectors).

What counts as a number (``crisis_number_parse``):
- a dialable phone number or short code: an optional leading "+", then digits
  with optional single spaces, hyphens or brackets between them, 3 to 15 digits
  in all (the E.164 maximum; "999", "116 123", "+44 20 7946 0000");
- a text line: "Text WORD to DIGITS" (a keyword of letters and digits, a short
  code of 3 to 8 digits), as in "Text SHOUT to 85258".
Anything else is refused with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core import page_cache
from core.errors import DomainError
from core.models import CrisisContact

_PHONE = re.compile(r"^\+?\d(?:[ \-]?(?:\(\d+\)|\d))*$")
_TEXT = re.compile(r"^text\s+([A-Za-z0-9]{1,20})\s+to\s+(\d{3,8})$", re.IGNORECASE)
_REGION = re.compile(r"^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$")


@dataclass(frozen=True)
class CrisisNumber:
    shown: str  # as written, tidied
    href: str  # tel:+44... or sms:85258?body=SHOUT


def crisis_number_parse(raw: str) -> CrisisNumber:
    """Return the number with its link, or raise DomainError (field "number") saying why it is refused."""
    text = " ".join((raw or "").split())
    if not text:
        raise DomainError(_("Enter the number to call or text."), field="number")
    texted = _TEXT.match(text)
    if texted:
        word, code = texted.groups()
        return CrisisNumber(shown=f"Text {word.upper()} to {code}", href=f"sms:{code}?body={word.upper()}")
    if not _PHONE.match(text):
        raise DomainError(
            _(
                "Enter a phone number or short code using digits, spaces, hyphens and brackets "
                "(for example 116 123 or +1 416 555 0100), or a text line such as 'Text SHOUT to 85258'."
            ),
            field="number",
        )
    digits = re.sub(r"\D", "", text)
    if not 3 <= len(digits) <= 15:
        raise DomainError(_("A phone number has between 3 and 15 digits."), field="number")
    return CrisisNumber(shown=text, href=f"tel:{'+' if text.startswith('+') else ''}{digits}")


# The built-in lists, loaded by migration and by ``crisis_contacts_load_defaults`` (idempotent).
_UK = [
    ("Samaritans", "116 123", "24 hours, every day", "Free to call, to talk about anything that is troubling you."),
    ("NHS 111", "111", "24 hours, every day", "Choose the mental health option for urgent help."),
    ("Emergency services", "999", "24 hours", "If a life is at risk right now."),
]
_CANADA = [
    ("9-8-8 Suicide Crisis Helpline", "988", "24 hours, every day", "Call or text 988."),
    ("Emergency services", "911", "24 hours", "If a life is at risk right now."),
]
_IRELAND = [
    ("Samaritans", "116 123", "24 hours, every day", "Free to call."),
    ("Emergency services", "112", "24 hours", "If a life is at risk right now."),
]
DEFAULT_CRISIS_CONTACTS: dict[str, list[tuple[str, str, str, str]]] = {
    "GB": _UK,
    "GB-ENG": _UK,
    "GB-SCT": _UK,
    "GB-NIR": _UK,
    "CA": _CANADA,
    "CA-ON": _CANADA,
    "CA-BC": _CANADA,
    "IE": _IRELAND,
}


def _clean(*, region: str, name: str, number: str, hours: str, note: str) -> dict:
    region = (region or "").strip().upper()
    if not _REGION.match(region):
        raise DomainError(_("Choose a region such as GB-ENG or CA-ON."), field="region")
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Give the contact a name people will recognise."), field="name")
    return {
        "region": region,
        "name": name,
        "number": crisis_number_parse(number).shown,
        "hours": (hours or "").strip(),
        "note": (note or "").strip(),
    }


@transaction.atomic
def crisis_contact_save(
    *,
    contact: CrisisContact | None = None,
    region: str,
    name: str,
    number: str,
    hours: str = "",
    note: str = "",
    position: int = 0,
) -> CrisisContact:
    """Create or change a crisis contact; refuse one without a name or with a number that cannot be dialled."""
    values = _clean(region=region, name=name, number=number, hours=hours, note=note)
    clash = CrisisContact.objects.filter(region=values["region"], name__iexact=values["name"])
    if contact is not None:
        clash = clash.exclude(pk=contact.pk)
    if clash.exists():
        raise DomainError(_("This region already has a contact with that name."), field="name")
    page_cache.bump(page_cache.EVERYTHING)  # every page with the crisis contacts in its footer
    if contact is None:
        return CrisisContact.objects.create(position=position, **values)
    for field, value in {**values, "position": position}.items():
        setattr(contact, field, value)
    contact.save(update_fields=[*values, "position"])
    return contact


@transaction.atomic
def crisis_contact_delete(*, contact: CrisisContact) -> None:
    contact.delete()
    page_cache.bump(page_cache.EVERYTHING)


@transaction.atomic
def crisis_contacts_load_defaults() -> int:
    """Add the built-in contacts of every region that has none yet (idempotent); return how many were added."""
    have = set(CrisisContact.objects.values_list("region", flat=True).distinct())
    rows = [
        CrisisContact(region=region, name=name, number=number, hours=hours, note=note, position=position)
        for region, contacts in DEFAULT_CRISIS_CONTACTS.items()
        if region not in have
        for position, (name, number, hours, note) in enumerate(contacts)
    ]
    CrisisContact.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
