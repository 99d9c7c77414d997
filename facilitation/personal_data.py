"""Facilitation's entries in the personal-data registry: protected-time requests and deputies.

Erasure keeps each protected-time request and its lines (hours asked for, decisions) on the
anonymised person, so the service's figures stay right, and clears the free text on them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from core.personal_data import PersonalData, owned_exporter, register, rows
from facilitation.models import ProtectedTimeDelegation, ProtectedTimeEvent, ProtectedTimeRequest

STAFF_LINK = "A manager's decision on another person's request is kept; it resolves to 'erased person'."


def erase_requests(person: Any) -> None:
    ProtectedTimeRequest.objects.filter(enrolment__participant=person).exclude(external_note="").update(
        external_note=""
    )


def erase_events(person: Any) -> None:
    ProtectedTimeEvent.objects.filter(Q(request__enrolment__participant=person) | Q(actor=person)).exclude(
        comment=""
    ).update(comment="")


register(
    PersonalData(
        model="facilitation.ProtectedTimeRequest",
        export=owned_exporter(
            "facilitation.ProtectedTimeRequest",
            "enrolment__participant",
            ("enrolment__cohort__name", "status", "submitted_at", "decided_at", "external_note"),
        ),
        erase=erase_requests,
        excluded="The request is kept (status, dates; no note) so protected-time figures stay right.",
    )
)
register(
    PersonalData(
        model="facilitation.ProtectedTimeLine",
        export=owned_exporter(
            "facilitation.ProtectedTimeLine",
            "request__enrolment__participant",
            ("request_id", "starts_at", "ends_at", "minutes", "decision", "decided_at"),
        ),
        erase=None,
        excluded="Lines hold hours and decisions, no free text: kept for the figures. " + STAFF_LINK,
    )
)
register(
    PersonalData(
        model="facilitation.ProtectedTimeEvent",
        export=lambda person: rows(
            ProtectedTimeEvent.objects.filter(
                Q(request__enrolment__participant=person) | Q(actor=person) | Q(on_behalf_of=person)
            ).order_by("at", "pk"),
            ("request_id", "action", "at", "comment"),
        ),
        erase=erase_events,
        excluded="Events are kept (what happened, when); their comments are cleared.",
    )
)
register(
    PersonalData(
        model="facilitation.ProtectedTimeDelegation",
        export=lambda person: rows(
            ProtectedTimeDelegation.objects.filter(Q(manager=person) | Q(deputy=person)).order_by("pk"),
            ("manager_id", "deputy_id", "starts_on", "ends_on", "revoked_at"),
        ),
        erase=lambda person: ProtectedTimeDelegation.objects.filter(Q(manager=person) | Q(deputy=person)).delete(),
    )
)
