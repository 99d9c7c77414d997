"""Core's entries in the personal-data registry: the access log, the admin's history, sign-in attempts."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from core.models import AccessLog
from core.personal_data import PersonalData, owned_exporter, register, rows


def export_access_log(person: Any) -> list[dict]:
    """Who read or changed records about the person (the right of access includes recipients)."""
    queryset = AccessLog.objects.filter(subject=person).order_by("at", "pk")
    return rows(queryset, ("at", "action", "record_type", "record_id", "actor_id"))


def erase_admin_history(person: Any) -> None:
    """The admin's history keeps each action but no longer names the person it was about."""
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(person), object_id=str(person.pk)).update(
        object_repr="erased person", change_message=""
    )


def sign_in_exporter(label: str) -> Any:
    def export(person: Any) -> list[dict]:
        queryset = apps.get_model(label).objects.filter(username=person.email).order_by("attempt_time")
        return rows(queryset, ("attempt_time", "ip_address", "user_agent"))

    return export


def sign_in_eraser(label: str) -> Any:
    def erase(person: Any) -> None:
        apps.get_model(label).objects.filter(username=person.email).delete()

    return erase


def register_core() -> None:
    register(
        PersonalData(
            model="core.AccessLog",
            export=export_access_log,
            erase=None,
            excluded=(
                "Append-only audit trail: rows are kept. They name people by id and hold no clinical "
                "text; after erasure the id resolves to 'erased person'."
            ),
        )
    )
    register(
        PersonalData(
            model="admin.LogEntry",
            export=owned_exporter("admin.LogEntry", "user", ("action_time", "object_repr", "action_flag")),
            erase=erase_admin_history,
        )
    )
    for label in ("axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"):
        register(PersonalData(model=label, export=sign_in_exporter(label), erase=sign_in_eraser(label)), flag=True)
