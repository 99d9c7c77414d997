"""Reads of core records: which escalation steps have fired; the crisis contacts of a region; the audit trail."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet

from core.crisis_contacts import DEFAULT_CRISIS_CONTACTS, crisis_number_parse
from core.errors import DomainError
from core.models import AccessLog, CrisisContact, EscalationStep


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


def access_log_search(
    *,
    person_id: int | None = None,
    record_type: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AccessLog]:
    """Audit rows, newest first: by a person (as the one who acted, or the one it is about), record type, dates."""
    rows = AccessLog.objects.select_related("actor", "subject").order_by("-at", "-pk")
    if person_id is not None:
        rows = rows.filter(actor_id=person_id) | rows.filter(subject_id=person_id)
    if record_type:
        rows = rows.filter(record_type=record_type)
    if date_from is not None:
        rows = rows.filter(at__date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(at__date__lte=date_to)
    return rows


def access_log_record_types() -> list[str]:
    """The record types the audit trail holds, for the search form's choices."""
    return list(AccessLog.objects.order_by("record_type").values_list("record_type", flat=True).distinct())
