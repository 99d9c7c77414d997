"""Reads of core records: which escalation steps have fired; the crisis contacts of a region."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from core.crisis_contacts import DEFAULT_CRISIS_CONTACTS, crisis_number_parse
from core.errors import DomainError
from core.models import CrisisContact, EscalationStep


def escalation_steps_fired(
    *, ladder: str, subject_ids: QuerySet | list[int] | None = None
) -> set[tuple[int, str, int]]:
    """The (subject id, step, cycle) triples already fired on ``ladder`` (optionally for some subjects)."""
    rows = EscalationStep.objects.filter(ladder=ladder)
    if subject_ids is not None:
        rows = rows.filter(subject_id__in=subject_ids)
    return set(rows.values_list("subject_id", "step", "cycle"))


def escalation_subjects_at(*, ladder: str, step: str) -> QuerySet:
    """Subject ids that have reached ``step`` of ``ladder`` (a subquery for the higher app's own filter)."""
    return EscalationStep.objects.filter(ladder=ladder, step=step).values("subject_id")


def crisis_contacts_for(*, region: str) -> list[CrisisContact]:
    """The crisis contacts for ``region`` (one query): its own list, else its country's, else the default region's,
    else (nothing configured at all) the built-in list.

    Each contact carries ``link`` (tel: or sms:) for the template partial
    ``core/partials/crisis_contacts.html``.
    """
    fallback = settings.STEADY_DEFAULT_CRISIS_REGION
    region = region or fallback
    candidates = [region, region.partition("-")[0], fallback, fallback.partition("-")[0]]
    rows = list(CrisisContact.objects.filter(region__in=candidates))
    for candidate in candidates:
        chosen = [row for row in rows if row.region == candidate]
        if chosen:
            break
    else:
        # Nothing configured (an empty table): the built-in list, so a page never shows no one to call.
        chosen = next(
            (
                [
                    CrisisContact(region=c, name=name, number=number, hours=hours, note=note, position=position)
                    for position, (name, number, hours, note) in enumerate(DEFAULT_CRISIS_CONTACTS[c])
                ]
                for c in candidates
                if c in DEFAULT_CRISIS_CONTACTS
            ),
            [],
        )
    for row in chosen:
        try:
            row.link = crisis_number_parse(row.number).href
        except DomainError:
            row.link = ""
    return chosen
