"""Reads for data rights: everything Steady holds about the signed-in person, and people to erase."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.models import User
from core.audit import current_address
from core.models import AccessLog
from core.personal_data import export_everything, is_erased_email


def personal_data_for(*, user: User) -> list[dict]:
    """Everything Steady holds about ``user``, one section a model: label, title and rows (their own only).

    Reading one's own record is recorded too (action ``export``): a download of clinical notes is a read.
    """
    sections = []
    for label, rows in export_everything(user).items():
        model = apps.get_model(label)
        columns = sorted({key for row in rows for key in row})
        sections.append(
            {
                "label": label,
                "title": str(model._meta.verbose_name_plural).capitalize(),
                "rows": rows,
                "columns": columns,
                "cells": [["" if row.get(column) is None else row.get(column) for column in columns] for row in rows],
            }
        )
    AccessLog.objects.create(
        actor=user,
        action="export",
        record_type=user._meta.label,
        record_id=str(user.pk),
        subject=user,
        address=current_address(),
    )
    return sections


def _as_id(query: str) -> int | None:
    """``query`` as a row id if it is one: ASCII digits that fit the database's integer (else None)."""
    return int(query) if query.isascii() and query.isdigit() and len(query) <= 18 else None


def person_find_for_erasure(*, query: str) -> User | None:
    """The one person whose email is ``query`` (or whose id it is), not already erased; None otherwise."""
    query = query.strip()
    if not query:
        return None
    condition = Q(email__iexact=query)
    if (number := _as_id(query)) is not None:
        condition |= Q(pk=number)
    person = User.objects.filter(condition).first()
    if person is None or is_erased_email(person.email):
        return None
    return person


def audit_person_id(*, query: str) -> int | None:
    """The id the audit search means by ``query``: a number as it stands, else the person with that email."""
    query = query.strip()
    if not query:
        return None
    if query.isascii() and query.isdigit():
        return _as_id(query) or 0  # a number too large for an id matches nobody
    return User.objects.filter(email__iexact=query).values_list("pk", flat=True).first() or 0


def person_get_for_erasure(*, pk: object) -> User:
    """The person the confirm form names (404 when there is none)."""
    return get_object_or_404(User, pk=pk)
