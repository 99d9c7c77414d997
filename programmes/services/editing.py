"""Writes that edit a programme: create, update, session plans with agenda and materials, the information pack."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed
from core.validation import model_bounds_error
from programmes import interchange
from programmes.models import AgendaItem, InformationPack, InformationPackSection, Material, Programme, SessionPlan
from programmes.services.versions import _editable
from programmes.uploads import validate_material_file


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


def _web_address(value: str) -> str:
    """Return ``value`` when it is an http(s) address or empty; raise DomainError otherwise."""
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError as exc:
            message = _("A link must be a web address starting with https:// or http://.")
            raise DomainError(message, field="url") from exc
    return value


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
    out_of_bounds = model_bounds_error(Programme, values)
    if out_of_bounds is not None:
        field, message = out_of_bounds
        raise DomainError(message, field=field)
    default = values.get("default_capacity")
    largest = values.get("max_capacity")
    if default is not None and largest is not None and default > largest:
        raise DomainError(
            _("The default group size (%(default)s) cannot be larger than the largest group size (%(max)s).")
            % {"default": default, "max": largest},
            field="default_capacity",
        )
    closes, weeks = values.get("join_closes_after_week"), values.get("weekly_session_count")
    if closes is not None and weeks is not None and closes > weeks:
        raise DomainError(
            _("New people can only join up to the last week (%(weeks)s). Enter %(weeks)s or fewer, or leave it empty.")
            % {"weeks": weeks},
            field="join_closes_after_week",
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
    unknown = set(values) - set(interchange.PROGRAMME_CONTENT_FIELDS)
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
    unknown = set(values) - set(interchange.PROGRAMME_CONTENT_FIELDS)
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

    changed = [
        name for name in interchange.PLAN_CONTENT_FIELDS if name in values and getattr(target, name) != values[name]
    ]
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
        for name in interchange.MATERIAL_FIELDS:
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
