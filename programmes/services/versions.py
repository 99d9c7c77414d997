"""Versions of a programme: a used or published version is never edited in place, but copied whole first.

A programme version that is published, retired or used by any cohort is
never edited in place: the edit makes a new draft version (a copy of the
whole tree: plans, agenda, materials, information pack) and applies the
change there. A cohort keeps the version it started with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from programmes import interchange
from programmes.models import AgendaItem, InformationPack, InformationPackSection, Material, Programme, SessionPlan
from programmes.selectors import programme_is_in_use


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
        **{name_: getattr(source, name_) for name_ in interchange.PROGRAMME_CONTENT_FIELDS if name_ != "name"},
    )
    mapping = CopyMap()
    plans = list(source.session_plans.prefetch_related("agenda_items", "materials").order_by("kind", "number"))
    new_plans = SessionPlan.objects.bulk_create(
        SessionPlan(
            programme=copy,
            kind=plan.kind,
            number=plan.number,
            **{f: getattr(plan, f) for f in interchange.PLAN_CONTENT_FIELDS},
        )
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
                    **{f: getattr(m, f) for f in interchange.MATERIAL_FIELDS},
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
    return programme.status != Programme.Status.DRAFT or programme_is_in_use(programme=programme)


def _editable(programme: Programme, by: AbstractBaseUser | None) -> tuple[Programme, CopyMap | None]:
    """Return the programme to write to: itself when it is an unused draft, otherwise a new version."""
    if _needs_new_version(programme):
        return programme_new_version(programme=programme, by=by)
    return programme, None
