"""Programmes' entry in the personal-data registry: who wrote a programme template."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from core.personal_data import PersonalData, register, rows
from programmes.models import Programme


def export_authorship(person: Any) -> list[dict]:
    queryset = Programme.objects.filter(Q(created_by=person) | Q(updated_by=person)).order_by("pk")
    return rows(queryset, ("id", "name", "created_by_id", "updated_by_id"))


register(
    PersonalData(
        model="programmes.Programme",
        export=export_authorship,
        erase=None,
        excluded=(
            "A programme template is the service's, not the person's: it is kept, and its author "
            "resolves to 'erased person' once the user row is anonymised."
        ),
    )
)
