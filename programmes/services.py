"""Writes to programmes: create, edit (in place or as a new version), duplicate, publish, retire, import.

A programme version that is published, retired or used by any cohort is
never edited in place: the edit makes a new draft version (a copy of the
whole tree: plans, agenda, materials, information pack) and applies the
change there. A cohort keeps the version it started with.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed
from programmes import interchange
from programmes.models import AgendaItem, InformationPack, InformationPackSection, Material, Programme, SessionPlan
from programmes.selectors import programme_is_in_use, programme_problems
from programmes.uploads import validate_material_file

BUILTIN_PATH = Path(__file__).resolve().parent / "data" / "cft-healthcare-staff.yaml"

PROGRAMME_EDITABLE = interchange.PROGRAMME_CONTENT_FIELDS
PLAN_EDITABLE = interchange.PLAN_CONTENT_FIELDS
MATERIAL_EDITABLE = interchange.MATERIAL_FIELDS


# --- Agenda arithmetic ------------------------------------------------------------


def agenda_difference(*, minutes: list[int], session_minutes: int) -> int:
    """Return how many minutes the agenda is over (positive) or under (negative) the session length."""
    return sum(minutes) - session_minutes


def agenda_mismatch_message(*, total: int, session_minutes: int) -> str:
    difference = total - session_minutes
    if difference > 0:
        return _(
            "The agenda adds up to %(total)s minutes, %(diff)s more than the %(length)s-minute session. "
            "Take %(diff)s minutes off one or more items."
        ) % {"total": total, "diff": difference, "length": session_minutes}
    return _(
        "The agenda adds up to %(total)s minutes, %(diff)s short of the %(length)s-minute session. "
        "Add %(diff)s minutes to one or more items."
    ) % {"total": total, "diff": -difference, "length": session_minutes}


# --- Copying a whole programme ---------------------------------------------------------


@dataclass
class CopyMap:
    """Old primary key to new object, for everything a copy made."""

    plans: dict[int, SessionPlan] = field(default_factory=dict)
    materials: dict[int, Material] = field(default_factory=dict)
    packs: dict[int, InformationPack] = field(default_factory=dict)


def _copy_tree(
    *, source: Programme, family: uuid.UUID, version: int, name: str, by: AbstractBaseUser | None
) -> tuple[Programme, CopyMap]:
    copy = Programme.objects.create(
        family=family,
        version=version,
        name=name,
        status=Programme.Status.DRAFT,
        based_on=source,
        created_by=by,
        updated_by=by,
        **{name_: getattr(source, name_) for name_ in PROGRAMME_EDITABLE if name_ != "name"},
    )
    mapping = CopyMap()
    plans = list(source.session_plans.prefetch_related("agenda_items", "materials").order_by("kind", "number"))
    new_plans = SessionPlan.objects.bulk_create(
        SessionPlan(programme=copy, kind=plan.kind, number=plan.number, **{f: getattr(plan, f) for f in PLAN_EDITABLE})
        for plan in plans
    )
    agenda: list[AgendaItem] = []
    materials: list[tuple[int, Material]] = []
    for old, new in zip(plans, new_plans, strict=True):
        mapping.plans[old.pk] = new
        agenda += [
            AgendaItem(session_plan=new, position=i.position, title=i.title, minutes=i.minutes, notes=i.notes)
            for i in old.agenda_items.all()
        ]
        materials += [
            (
                m.pk,
                Material(
                    session_plan=new,
                    position=m.position,
                    file=m.file.name,
                    file_type=m.file_type,
                    file_name=m.file_name,
                    **{f: getattr(m, f) for f in MATERIAL_EDITABLE},
                ),
            )
            for m in old.materials.all()
        ]
    AgendaItem.objects.bulk_create(agenda)
    created = Material.objects.bulk_create(m for _pk, m in materials)
    mapping.materials = {old_pk: new for (old_pk, _m), new in zip(materials, created, strict=True)}
    for pack in source.information_packs.prefetch_related("sections"):
        new_pack = InformationPack.objects.create(
            programme=copy, version=pack.version, title=pack.title, introduction=pack.introduction
        )
        mapping.packs[pack.pk] = new_pack
        InformationPackSection.objects.bulk_create(
            InformationPackSection(pack=new_pack, topic=s.topic, position=s.position, heading=s.heading, body=s.body)
            for s in pack.sections.all()
        )
    return copy, mapping


@transaction.atomic
def programme_new_version(*, programme: Programme, by: AbstractBaseUser | None) -> tuple[Programme, CopyMap]:
    """Copy ``programme`` as the next version of its family, a draft; return it and what was copied."""
    Programme.objects.select_for_update().filter(family=programme.family).order_by("pk").first()
    latest = Programme.objects.filter(family=programme.family).aggregate(v=Max("version"))["v"] or 0
    return _copy_tree(source=programme, family=programme.family, version=latest + 1, name=programme.name, by=by)


@transaction.atomic
def programme_duplicate(*, programme: Programme, by: AbstractBaseUser | None, name: str = "") -> Programme:
    """Copy ``programme`` as a new programme of its own (a new family, version 1, draft)."""
    copy, _mapping = _copy_tree(
        source=programme,
        family=uuid.uuid4(),
        version=1,
        name=name or _("Copy of %(name)s") % {"name": programme.name},
        by=by,
    )
    return copy


def _needs_new_version(programme: Programme) -> bool:
    return programme.status != Programme.Status.DRAFT or programme_is_in_use(programme)


def _editable(programme: Programme, by: AbstractBaseUser | None) -> tuple[Programme, CopyMap | None]:
    """Return the programme to write to: itself when it is an unused draft, otherwise a new version."""
    if _needs_new_version(programme):
        return programme_new_version(programme=programme, by=by)
    return programme, None


# --- Creating and editing ------------------------------------------------------------


def _placeholder_plan(programme: Programme, kind: str, number: int) -> SessionPlan:
    title = (_("Week %(n)s") if kind == SessionPlan.Kind.WEEKLY else _("Booster %(n)s")) % {"n": number}
    return SessionPlan(programme=programme, kind=kind, number=number, title=title)


def _sync_plans(programme: Programme) -> None:
    """Give ``programme`` exactly one plan per week and per booster, adding placeholders as needed."""
    wanted = {(SessionPlan.Kind.WEEKLY, n) for n in range(1, programme.weekly_session_count + 1)}
    wanted |= {(SessionPlan.Kind.BOOSTER, n) for n in range(1, len(programme.booster_offsets_weeks) + 1)}
    have = set(programme.session_plans.values_list("kind", "number"))
    extra = have - wanted
    for kind, number in extra:
        programme.session_plans.filter(kind=kind, number=number).delete()
    new_plans = SessionPlan.objects.bulk_create(
        _placeholder_plan(programme, kind, number) for kind, number in sorted(wanted - have)
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(session_plan=plan, position=0, title=_("Session"), minutes=programme.session_minutes)
        for plan in new_plans
    )


def _clean_programme_fields(values: dict[str, Any]) -> None:
    default = values.get("default_capacity")
    largest = values.get("max_capacity")
    if default is not None and largest is not None and default > largest:
        raise DomainError(
            _("The default group size (%(default)s) cannot be larger than the largest group size (%(max)s).")
            % {"default": default, "max": largest},
            field="default_capacity",
        )
    offsets = values.get("booster_offsets_weeks")
    if offsets is not None and (
        not isinstance(offsets, list) or any(not isinstance(o, int) or o < 1 or o > 104 for o in offsets)
    ):
        raise DomainError(
            _("Booster sessions are whole numbers of weeks after the last weekly session, such as 4, 12."),
            field="booster_offsets_weeks",
        )


@transaction.atomic
def programme_create(*, by: AbstractBaseUser | None, **values: Any) -> Programme:
    """Create a draft programme with a placeholder plan for every week and booster, and an empty pack."""
    unknown = set(values) - set(PROGRAMME_EDITABLE)
    if unknown:
        raise TypeError(f"Unknown programme fields: {sorted(unknown)}")
    _clean_programme_fields(values)
    programme = Programme.objects.create(created_by=by, updated_by=by, **values)
    _sync_plans(programme)
    pack = InformationPack.objects.create(programme=programme, version=1)
    InformationPackSection.objects.bulk_create(
        InformationPackSection(pack=pack, topic=topic, position=i, heading=str(topic.label), body="")
        for i, topic in enumerate(InformationPackSection.Topic)
    )
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, by: AbstractBaseUser | None, **values: Any) -> Programme:
    """Change a programme's settings; return the programme changed (a new version when this one is in use)."""
    unknown = set(values) - set(PROGRAMME_EDITABLE)
    if unknown:
        raise TypeError(f"Unknown programme fields: {sorted(unknown)}")
    _clean_programme_fields(
        {"default_capacity": programme.default_capacity, "max_capacity": programme.max_capacity} | values
    )
    changed = [name for name, value in values.items() if getattr(programme, name) != value]
    if not changed:
        return programme
    target, _mapping = _editable(programme, by)
    for name in changed:
        setattr(target, name, values[name])
    target.updated_by = by
    target.save(update_fields=[*changed, "updated_by", "updated_at"])
    if {"weekly_session_count", "booster_offsets_weeks"} & set(changed):
        _sync_plans(target)
    return target


@dataclass
class MaterialChange:
    """One row of the materials part of the plan form."""

    id: int | None
    values: dict[str, Any]
    upload: UploadedFile | None = None
    clear_file: bool = False
    delete: bool = False


@transaction.atomic
def session_plan_update(
    *,
    plan: SessionPlan,
    by: AbstractBaseUser | None,
    values: dict[str, Any],
    agenda: list[dict[str, Any]],
    materials: list[MaterialChange],
) -> SessionPlan:
    """Save a plan with its whole agenda and its materials; return the plan saved (maybe in a new version).

    The agenda replaces the old one and must add up to the session length.
    Every upload is checked before anything is written.
    """
    programme = plan.programme
    total = sum(int(item["minutes"]) for item in agenda)
    if total != programme.session_minutes:
        raise DomainError(agenda_mismatch_message(total=total, session_minutes=programme.session_minutes))
    if not agenda:
        raise DomainError(_("A session plan needs at least one agenda item."))
    for change in materials:
        _web_address(change.values.get("url", ""))
    named_ids = {change.id for change in materials if change.id is not None}
    if named_ids - set(plan.materials.values_list("pk", flat=True)):
        raise NotAllowed(_("That material belongs to another session plan."))
    file_types: dict[int, str] = {}
    for index, change in enumerate(materials):
        if change.upload is not None and not change.delete:
            try:
                file_types[index] = validate_material_file(change.upload)
            except ValidationError as exc:
                raise DomainError(" ".join(exc.messages), field="file") from exc
    target_programme, mapping = _editable(programme, by)
    target = mapping.plans[plan.pk] if mapping else plan
    own = mapping.materials if mapping else {m.pk: m for m in target.materials.all()}

    changed = [name for name in PLAN_EDITABLE if name in values and getattr(target, name) != values[name]]
    for name in changed:
        setattr(target, name, values[name])
    if changed:
        target.save(update_fields=changed)
    target.agenda_items.all().delete()
    AgendaItem.objects.bulk_create(
        AgendaItem(
            session_plan=target,
            position=position,
            title=item["title"],
            minutes=int(item["minutes"]),
            notes=item.get("notes", ""),
        )
        for position, item in enumerate(agenda)
    )
    for position, change in enumerate(materials):
        material = own[change.id] if change.id is not None else None
        if change.delete:
            if material is not None:
                material.delete()
            continue
        material = material or Material(session_plan=target)
        for name in MATERIAL_EDITABLE:
            if name in change.values:
                setattr(material, name, change.values[name])
        material.position = position
        if change.clear_file:
            material.file = ""
            material.file_type = ""
            material.file_name = ""
        if change.upload is not None:
            material.file.save(change.upload.name, change.upload, save=False)
            material.file_type = file_types[position]
            material.file_name = Path(change.upload.name).name[:200]
        material.save()
    target_programme.updated_by = by
    target_programme.save(update_fields=["updated_by", "updated_at"])
    return target


@transaction.atomic
def information_pack_update(
    *,
    pack: InformationPack,
    by: AbstractBaseUser | None,
    title: str,
    introduction: str,
    sections: dict[str, tuple[str, str]],
) -> InformationPack:
    """Save a pack's text (``sections`` maps topic to (heading, body)); changed text gets a new pack version.

    Returns the pack written, which belongs to a new programme version when
    the programme is in use or published.
    """
    current = {s.topic: (s.heading, s.body) for s in pack.sections.all()}
    if (
        title == pack.title
        and introduction == pack.introduction
        and all(current.get(topic) == value for topic, value in sections.items())
    ):
        return pack
    target_programme, mapping = _editable(pack.programme, by)
    target = mapping.packs[pack.pk] if mapping else pack
    if mapping:
        # Changed text in a new programme version: the pack gets the family's next pack version.
        family_packs = InformationPack.objects.filter(programme__family=target_programme.family)
        target.version = (family_packs.aggregate(v=Max("version"))["v"] or 0) + 1
    target.title = title
    target.introduction = introduction
    target.save(update_fields=["version", "title", "introduction"])
    rows = {s.topic: s for s in target.sections.all()}
    for position, topic in enumerate(InformationPackSection.Topic):
        if topic.value not in sections:
            continue
        heading, body = sections[topic.value]
        row = rows.get(topic.value) or InformationPackSection(pack=target, topic=topic.value)
        row.position, row.heading, row.body = position, heading, body
        row.save()
    target_programme.updated_by = by
    target_programme.save(update_fields=["updated_by", "updated_at"])
    return target


# --- Publishing ----------------------------------------------------------------------


@transaction.atomic
def programme_publish(*, programme: Programme, by: AbstractBaseUser | None) -> Programme:
    """Publish a complete programme; earlier published versions of its family are retired."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status == Programme.Status.PUBLISHED:
        return programme
    problems = programme_problems(programme)
    if problems:
        raise NotAllowed(_("This programme is not ready to publish: %(problems)s") % {"problems": " ".join(problems)})
    now = timezone.now()
    Programme.objects.filter(family=programme.family, status=Programme.Status.PUBLISHED).exclude(
        pk=programme.pk
    ).update(status=Programme.Status.RETIRED, retired_at=now, updated_by=by, updated_at=now)
    programme.status = Programme.Status.PUBLISHED
    programme.published_at = now
    programme.retired_at = None
    programme.updated_by = by
    programme.save(update_fields=["status", "published_at", "retired_at", "updated_by", "updated_at"])
    programme.information_packs.filter(published_at__isnull=True).update(published_at=now)
    return programme


@transaction.atomic
def programme_retire(*, programme: Programme, by: AbstractBaseUser | None) -> Programme:
    """Retire a programme: no new cohort may start it; running cohorts keep it."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status == Programme.Status.RETIRED:
        return programme
    programme.status = Programme.Status.RETIRED
    programme.retired_at = timezone.now()
    programme.updated_by = by
    programme.save(update_fields=["status", "retired_at", "updated_by", "updated_at"])
    return programme


# --- Import and the built-in programme ------------------------------------------------------


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


def _web_address(value: str) -> str:
    """Return ``value`` when it is an http(s) address or empty; raise DomainError otherwise."""
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError as exc:
            message = _("A link must be a web address starting with https:// or http://.")
            raise DomainError(message, field="url") from exc
    return value


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
            **{name: _text(entry, name) for name in PLAN_EDITABLE if name != "intensity"},
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
