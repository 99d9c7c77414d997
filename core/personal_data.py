"""What Steady holds about a person, model by model: how each is exported, erased and purged.

Each app lists its models in its own ``personal_data.py`` (imported at start-up by
``CoreConfig.ready``), so this module never names a higher app. A model that holds personal data
(a foreign key to the user, or listed in ``FLAGGED``) must be registered with an exporter and an
eraser, or with ``excluded=`` saying why one is deliberately absent: ``tests/privacy/
test_data_rights.py`` walks the app registry and fails on a model nobody handled.

- ``export(person) -> list[dict]``: the rows about ``person``, JSON-ready (dates as ISO strings).
- ``erase(person) -> None``: delete or blank what identifies them or is clinical; keep what counts.
  Erasers run higher apps first (reverse registration order), the user row last.
- ``register_clinical_text(model, *fields)``: the free-text fields of ``model`` that are clinical (only
  the cohort's facilitators read them, and the person what is shared with them). The one list of
  them: ``tests/privacy/test_canary_crawl.py`` plants a unique string in each and crawls every page,
  export, feed, notification and email a manager, a service lead or another participant can reach.
- ``register_purge(name, purge)``: ``purge(before) -> int`` clears clinical text and answers of
  cohorts that ended before the date ``before`` (today less ``STEADY_CLINICAL_RETENTION_MONTHS``;
  ``manage.py purge_expired``), in batches.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models

Exporter = Callable[[Any], list[dict]]
Eraser = Callable[[Any], None]
Purger = Callable[[dt.date], int]

# Models that hold personal data without a foreign key to the user (an email, a username, an address).
FLAGGED: set[str] = set()

# The email domain an erased person's address is moved to: it resolves to "erased person".
ERASED_EMAIL_DOMAIN = "erased.invalid"


@dataclass(frozen=True)
class PersonalData:
    model: str  # "app_label.ModelName"
    export: Exporter | None = None
    erase: Eraser | None = None
    excluded: str = ""  # why export or erase is absent, or what erasure deliberately keeps

    def __post_init__(self) -> None:
        if (self.export is None or self.erase is None) and not self.excluded:
            raise ValueError(f"{self.model}: give an exporter and an eraser, or say why not (excluded=)")


_HANDLERS: dict[str, PersonalData] = {}
_PURGERS: dict[str, Purger] = {}
_CLINICAL_TEXT: dict[str, tuple[str, ...]] = {}


def register(handler: PersonalData, *, flag: bool = False) -> PersonalData:
    """Register how ``handler.model`` is exported and erased (once per model)."""
    if handler.model in _HANDLERS and _HANDLERS[handler.model] != handler:
        raise ValueError(f"{handler.model} already has a personal-data handler")
    _HANDLERS[handler.model] = handler
    if flag:
        FLAGGED.add(handler.model)
    return handler


def register_purge(name: str, purge: Purger) -> Purger:
    if name in _PURGERS and _PURGERS[name] is not purge:
        raise ValueError(f"a purge called {name} is already registered")
    _PURGERS[name] = purge
    return purge


def register_clinical_text(model: str, *fields: str) -> None:
    """Declare ``fields`` of ``model`` ("app_label.ModelName") clinical free text (once per model)."""
    if not fields:
        raise ValueError(f"{model}: name at least one clinical field")
    if model in _CLINICAL_TEXT and _CLINICAL_TEXT[model] != fields:
        raise ValueError(f"{model} already declared its clinical fields")
    _CLINICAL_TEXT[model] = fields


def clinical_text_fields() -> dict[str, tuple[str, ...]]:
    """Every declared clinical free-text field, by model label."""
    return dict(_CLINICAL_TEXT)


def handlers() -> dict[str, PersonalData]:
    return dict(_HANDLERS)


def purgers() -> dict[str, Purger]:
    return dict(_PURGERS)


def models_with_personal_data() -> list[str]:
    """Every installed model with a relation to the user model (or flagged), by label, sorted."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = set(FLAGGED) | {user_model._meta.label}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model is user_model:
                found.add(model._meta.label)
    return sorted(found)


# --- Helpers for the common shapes -----------------------------------------------------


def plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


def rows(queryset: models.QuerySet, fields: Iterable[str]) -> list[dict]:
    """The rows of ``queryset`` as plain dicts of ``fields`` (lookups allowed: ``cohort__name``)."""
    names = list(fields)
    return [{name: plain(row[name]) for name in names} for row in queryset.values(*names)]


def owned_exporter(label: str, owner: str, fields: Iterable[str]) -> Exporter:
    """Export ``fields`` of the ``label`` rows whose ``owner`` lookup is the person."""
    names = tuple(fields)

    def export(person: Any) -> list[dict]:
        return rows(apps.get_model(label).objects.filter(**{owner: person}).order_by("pk"), ("id", *names))

    return export


def erase_everything(person: Any) -> None:
    """Run every eraser, higher apps first (reverse registration order), the user row's last.

    The user row goes last because other erasers find rows by the person's email (sign-in
    attempts, invitations) before it is replaced.
    """
    user_label = apps.get_model(settings.AUTH_USER_MODEL)._meta.label
    ordered = [h for h in reversed(list(_HANDLERS.values())) if h.model != user_label]
    ordered += [h for h in _HANDLERS.values() if h.model == user_label]
    for handler in ordered:
        if handler.erase is not None:
            handler.erase(person)


def export_everything(person: Any) -> dict[str, list[dict]]:
    """Every exported row about ``person``, keyed by model label, in registration (layer) order."""
    return {label: handler.export(person) for label, handler in _HANDLERS.items() if handler.export is not None}


def is_erased_email(email: str) -> bool:
    return email.endswith(f"@{ERASED_EMAIL_DOMAIN}")
