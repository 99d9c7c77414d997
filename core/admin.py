"""The admin's ground rules, for every app: base classes, and the core models' own pages.

Every ModelAdmin in Steady derives from ``SteadyModelAdmin`` (or mixes in ``SteadyAdminMixin``);
``tests/privacy/test_admin_side_door.py`` fails when one does not.

- A changelist filters only on what it shows: a lookup on a field outside ``list_display``,
  ``list_filter``, ``search_fields`` and ``date_hierarchy`` is refused (400). Otherwise
  ``?notes__startswith=a`` reads a hidden note a character at a time.
- ``ClinicalModelAdmin``: models holding clinical text are not in the admin at all except for
  superusers; service leads see clinical records only as facilitators, in the app.
- ``people_relations``: many-to-many fields that give people access (a cohort's facilitators).
  Nobody adds or removes themselves; a change made by another person is recorded in the access
  log and announced to the person concerned.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.filters import SimpleListFilter
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core import page_cache
from core.models import AccessLog, CrisisContact, EscalationStep, Heartbeat
from core.services import people_relation_changes_record

SEARCH_PREFIXES = "^=@"


class SteadyAdminMixin:
    """Lookups limited to what the changelist shows; people relations guarded and audited."""

    people_relations: tuple[str, ...] = ()

    def visible_lookup_fields(self, request: HttpRequest | None) -> set[str]:
        """The model fields a changelist may filter on: those it shows, filters or searches."""
        names: set[str] = {self.model._meta.pk.name, "pk"}
        for item in self.get_list_display(request) if request is not None else self.list_display:
            if isinstance(item, str):
                names.add(item)
        for item in self.get_list_filter(request) if request is not None else self.list_filter:
            if isinstance(item, str):
                names.add(item.split("__")[0])
            elif isinstance(item, (list, tuple)):
                names.add(item[0].split("__")[0])
            elif isinstance(item, type) and issubclass(item, SimpleListFilter):
                names.add(item.parameter_name)
        for item in self.get_search_fields(request) if request is not None else self.search_fields:
            names.add(item.lstrip(SEARCH_PREFIXES).split("__")[0])
        if self.date_hierarchy:
            names.add(self.date_hierarchy.split("__")[0])
        return names

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        first = lookup.split("__")[0]
        try:
            self.model._meta.get_field(first)
        except FieldDoesNotExist:
            return super().lookup_allowed(lookup, value, request)
        if first not in self.visible_lookup_fields(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    # --- Cached pages -----------------------------------------------------------------
    # The admin changes rows round the services, which name what they change for the page cache: a save or
    # delete here makes every cached fragment a miss (the admin is rarely used; pages are right at once).

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        page_cache.bump(page_cache.EVERYTHING)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        super().delete_model(request, obj)
        page_cache.bump(page_cache.EVERYTHING)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        super().delete_queryset(request, queryset)
        page_cache.bump(page_cache.EVERYTHING)

    def has_module_permission(self, request: HttpRequest) -> bool:
        # Model permissions may come from rules (accounts.rules), which Django's module check does not ask.
        return super().has_module_permission(request) or self.has_view_or_change_permission(request)

    # --- People relations -------------------------------------------------------------

    def get_form(self, request: HttpRequest, obj: models.Model | None = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        guarded = [name for name in self.people_relations if name in form.base_fields]
        if not guarded:
            return form

        class NotYourselfForm(form):
            def clean(self) -> dict[str, Any]:
                cleaned = super().clean()
                for name in guarded:
                    if name not in cleaned:
                        continue
                    before = (
                        set(getattr(self.instance, name).values_list("pk", flat=True)) if self.instance.pk else set()
                    )
                    after = {person.pk for person in cleaned[name]}
                    if (request.user.pk in before) != (request.user.pk in after):
                        self.add_error(
                            name,
                            forms.ValidationError(
                                _("You cannot add or remove yourself here. Ask another person to make this change."),
                                code="not_yourself",
                            ),
                        )
                return cleaned

        return NotYourselfForm

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        instance = form.instance
        before = {name: set(getattr(instance, name).all()) for name in self.people_relations if name in form.fields}
        # save_model has run, so the instance exists; its relations are saved here.
        super().save_related(request, form, formsets, change)
        for name, old in before.items():
            people_relation_changes_record(
                actor=request.user, record=instance, relation=name, before=old, after=getattr(instance, name).all()
            )
        page_cache.bump(page_cache.EVERYTHING)


class SteadyModelAdmin(SteadyAdminMixin, admin.ModelAdmin):
    """The base of every ModelAdmin in Steady."""


class ClinicalModelAdmin(SteadyModelAdmin):
    """A model with clinical text: in the admin for superusers only (and its text still excluded)."""

    def _superuser(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._superuser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._superuser(request) and super().has_delete_permission(request, obj)


@admin.register(Heartbeat)
class HeartbeatAdmin(SteadyModelAdmin):
    list_display = ("name", "beat_at")


@admin.register(AccessLog)
class AccessLogAdmin(SteadyModelAdmin):
    """Append-only: readable and searchable, never added, changed or deleted here."""

    list_display = ("at", "actor", "action", "record_type", "record_id", "subject", "detail", "address")
    list_filter = ("action", "record_type")
    search_fields = ("actor__email", "subject__email", "record_id")
    list_select_related = ("actor", "subject")
    date_hierarchy = "at"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(EscalationStep)
class EscalationStepAdmin(SteadyModelAdmin):
    list_display = ("ladder", "subject_id", "step", "cycle", "fired_at")
    list_filter = ("ladder", "step")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(CrisisContact)
class CrisisContactAdmin(SteadyModelAdmin):
    """Read-only here: the service lead edits the list on its own page, where each number is validated."""

    list_display = ("region", "name", "number", "hours", "position")
    list_filter = ("region",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
