"""Importing a programme from a file (and loading the built-in one): every field checked, nothing cut."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from programmes import interchange
from programmes.models import AgendaItem, InformationPack, InformationPackSection, Material, Programme, SessionPlan
from programmes.services.editing import _clean_programme_fields, _web_address
from programmes.services.publishing import programme_publish
from programmes.uploads import validate_material_file

BUILTIN_PATH = Path(__file__).resolve().parent.parent / "data" / "cft-healthcare-staff.yaml"


# Longest text each short field holds; longer values in a file are refused, not cut.
TEXT_LIMITS = {"name": 150, "title": 150, "heading": 150, "neutral_label": 80}


def _text(mapping: dict, key: str) -> str:
    value = mapping.get(key)
    text = "" if value is None else str(value)
    limit = TEXT_LIMITS.get(key)
    if limit is not None and len(text) > limit:
        raise interchange.ImportFormatError(
            _("'%(field)s' is %(length)s characters long; the most it can be is %(limit)s.")
            % {"field": key, "length": len(text), "limit": limit},
            line=interchange.line_of(mapping, key),
            field=key,
        )
    return text


def _link(mapping: dict) -> str:
    try:
        return _web_address(_text(mapping, "url"))
    except DomainError as exc:
        raise interchange.ImportFormatError(exc.message, line=interchange.line_of(mapping, "url"), field="url") from exc


def _boolean(mapping: dict, key: str, what: str) -> bool:
    value = mapping.get(key)
    if not isinstance(value, bool):
        raise interchange.ImportFormatError(
            _("The %(what)s's '%(field)s' must be true or false.") % {"what": what, "field": key},
            line=interchange.line_of(mapping, key),
            field=key,
        )
    return value


def _choice(mapping: dict, key: str, choices: type, what: str) -> str:
    value = mapping.get(key)
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise interchange.ImportFormatError(
            _("The %(what)s's '%(field)s' is %(value)s; it should be one of: %(allowed)s.")
            % {"what": what, "field": key, "value": repr(value), "allowed": allowed},
            line=interchange.line_of(mapping, key),
            field=key,
        )
    return value


def _integer(mapping: dict, key: str, what: str, *, minimum: int = 0) -> int:
    value = mapping.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise interchange.ImportFormatError(
            _("The %(what)s's '%(field)s' should be a whole number of at least %(minimum)s.")
            % {"what": what, "field": key, "minimum": minimum},
            line=interchange.line_of(mapping, key),
            field=key,
        )
    return value


def _flag(mapping: dict, key: str, what: str) -> bool:
    """A yes/no field; absent means no."""
    value = mapping.get(key, False)
    if not isinstance(value, bool):
        raise interchange.ImportFormatError(
            _("The %(what)s's '%(field)s' should be true or false.") % {"what": what, "field": key},
            line=interchange.line_of(mapping, key),
            field=key,
        )
    return value


@transaction.atomic
def programme_import(
    *, text: str, by: AbstractBaseUser | None, publish: bool = False, existing_ok: bool = False
) -> tuple[Programme, bool]:
    """Create a programme from an export file; return it and whether it was created.

    Raises ImportFormatError (naming the field and the line) or DomainError;
    either way nothing is written. With ``existing_ok`` an already-present
    version is returned unchanged instead of refused.
    """
    data = interchange.parse(text)
    source = data["programme"]
    try:
        family = uuid.UUID(str(source["family"]))
    except ValueError as exc:
        raise interchange.ImportFormatError(
            _("The programme's 'family' is not a valid identifier."), line=interchange.line_of(source, "family")
        ) from exc
    version = _integer(source, "version", "programme", minimum=1)
    existing = Programme.objects.filter(family=family, version=version).first()
    if existing is not None:
        if existing_ok:
            return existing, False
        raise DomainError(
            _("Version %(version)s of “%(name)s” is already here, so nothing was imported.")
            % {"version": version, "name": existing.name}
        )
    values: dict[str, Any] = {
        "name": _text(source, "name"),
        "summary": _text(source, "summary"),
        "audience": _text(source, "audience"),
        "weekly_session_count": _integer(source, "weekly_session_count", "programme", minimum=1),
        "session_minutes": _integer(source, "session_minutes", "programme", minimum=15),
        "booster_offsets_weeks": list(source.get("booster_offsets_weeks") or []),
    }
    for key in ("default_capacity", "max_capacity"):
        if source.get(key) is not None:
            values[key] = _integer(source, key, "programme", minimum=2)
    if "join_closes_after_week" in source:
        # Present and empty: an open group; absent (an older file): the model's default.
        values["join_closes_after_week"] = (
            None
            if source["join_closes_after_week"] is None
            else _integer(source, "join_closes_after_week", "programme", minimum=1)
        )
    if source.get("neutral_label"):
        values["neutral_label"] = _text(source, "neutral_label")
    if source.get("pre_group_checkin_required") is not None:
        values["pre_group_checkin_required"] = _boolean(source, "pre_group_checkin_required", "programme")
    try:
        _clean_programme_fields(values)
    except DomainError as exc:
        raise interchange.ImportFormatError(
            exc.message, line=interchange.line_of(source, exc.field), field=exc.field
        ) from exc
    programme = Programme.objects.create(family=family, version=version, created_by=by, updated_by=by, **values)
    seen: set[tuple[str, int]] = set()
    for entry in source["session_plans"]:
        kind = _choice(entry, "kind", SessionPlan.Kind, "session plan")
        number = _integer(entry, "number", "session plan", minimum=1)
        if (kind, number) in seen:
            raise interchange.ImportFormatError(
                _("There are two %(kind)s session plans numbered %(number)s.") % {"kind": kind, "number": number},
                line=interchange.line_of(entry, "number"),
                field="number",
            )
        seen.add((kind, number))
        plan = SessionPlan.objects.create(
            programme=programme,
            kind=kind,
            number=number,
            intensity=_choice(entry, "intensity", SessionPlan.Intensity, "session plan"),
            needs_two_facilitators=_flag(entry, "needs_two_facilitators", "session plan"),
            **{
                name: _text(entry, name)
                for name in interchange.PLAN_CONTENT_FIELDS
                if name not in ("intensity", "needs_two_facilitators")
            },
        )
        AgendaItem.objects.bulk_create(
            AgendaItem(
                session_plan=plan,
                position=position,
                title=_text(item, "title"),
                minutes=_integer(item, "minutes", "agenda item", minimum=1),
                notes=_text(item, "notes"),
            )
            for position, item in enumerate(entry["agenda"])
        )
        for position, item in enumerate(entry.get("materials") or []):
            material = Material(
                session_plan=plan,
                position=position,
                title=_text(item, "title"),
                kind=_choice(item, "kind", Material.Kind, "material"),
                audience=_choice(item, "audience", Material.Audience, "material"),
                release=_choice(item, "release", Material.Release, "material"),
                content=_text(item, "content"),
                url=_link(item),
            )
            if item.get("file"):
                blob = interchange.decode_file(item["file"])
                upload = SimpleUploadedFile(blob.name, blob.data)
                try:
                    material.file_type = validate_material_file(upload)
                except ValidationError as exc:
                    raise interchange.ImportFormatError(
                        " ".join(exc.messages), line=interchange.line_of(item, "file"), field="file"
                    ) from exc
                material.file.save(blob.name, ContentFile(blob.data), save=False)
                material.file_name = blob.name[:200]
            material.save()
    pack_entry = source.get("information_pack")
    if pack_entry:
        pack = InformationPack.objects.create(
            programme=programme,
            version=_integer(pack_entry, "version", "information pack", minimum=1),
            title=_text(pack_entry, "title"),
            introduction=_text(pack_entry, "introduction"),
        )
        topics: set[str] = set()
        for position, item in enumerate(pack_entry["sections"]):
            topic = _choice(item, "topic", InformationPackSection.Topic, "information pack section")
            if topic in topics:
                raise interchange.ImportFormatError(
                    _("The information pack has two sections on '%(topic)s'.") % {"topic": topic},
                    line=interchange.line_of(item, "topic"),
                    field="topic",
                )
            topics.add(topic)
            InformationPackSection.objects.create(
                pack=pack, topic=topic, position=position, heading=_text(item, "heading"), body=_text(item, "body")
            )
    if publish:
        programme_publish(programme=programme, by=by)
        programme.refresh_from_db()
    return programme, True


def programme_load_builtin(*, path: Path | None = None, by: AbstractBaseUser | None = None) -> tuple[Programme, bool]:
    """Load the built-in programme (published) unless that version is already here; idempotent."""
    text = (path or BUILTIN_PATH).read_text(encoding="utf-8")
    return programme_import(text=text, by=by, publish=True, existing_ok=True)
