"""Reads of programmes: lists, the overview, access checks, and what participants may be given."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from programmes import interchange
from programmes.models import AgendaItem, InformationPack, InformationPackSection, Material, Programme, SessionPlan
from programmes.usage import programme_use_count


def user_may_use_library(*, user: AbstractBaseUser) -> bool:
    """Facilitators and the service lead plan with programmes and may see facilitator-only materials."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (getattr(user, "is_facilitator", False) or getattr(user, "is_service_lead", False))
    )


def _require_library(user: AbstractBaseUser) -> None:
    if not user_may_use_library(user=user):
        raise Http404


def programme_is_in_use(*, programme: Programme) -> bool:
    """True when anything registered in ``programmes.usage`` (a cohort) uses this version (one query)."""
    uses = Programme.objects.filter(pk=programme.pk).annotate(uses=programme_use_count()).values_list("uses", flat=True)
    return bool(uses.first())


def programme_list(*, user: AbstractBaseUser) -> QuerySet[Programme]:
    """Every programme version, newest first within each, with its cohort count (one query)."""
    _require_library(user)
    return Programme.objects.annotate(cohort_count=programme_use_count()).order_by("status", "name", "-version")


def programme_get(*, user: AbstractBaseUser, pk: int) -> Programme:
    _require_library(user)
    try:
        return Programme.objects.get(pk=pk)
    except Programme.DoesNotExist as exc:
        raise Http404 from exc


def session_plans_overview(*, programme: Programme) -> QuerySet[SessionPlan]:
    """The programme's plans with material count and total agenda minutes, in one query whatever its length."""
    materials = (
        Material.objects.filter(session_plan=OuterRef("pk"))
        .order_by()
        .values("session_plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    minutes = (
        AgendaItem.objects.filter(session_plan=OuterRef("pk"))
        .order_by()
        .values("session_plan")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    return (
        SessionPlan.objects.filter(programme=programme)
        .annotate(
            material_count=Coalesce(Subquery(materials, output_field=IntegerField()), Value(0)),
            total_minutes=Coalesce(Subquery(minutes, output_field=IntegerField()), Value(0)),
        )
        .order_by("-kind", "number")  # weekly before booster
    )


def session_plan_get(*, user: AbstractBaseUser, pk: int) -> SessionPlan:
    """A plan with its programme, agenda and every material (the caller may use the library)."""
    _require_library(user)
    try:
        return SessionPlan.objects.select_related("programme").prefetch_related("agenda_items", "materials").get(pk=pk)
    except SessionPlan.DoesNotExist as exc:
        raise Http404 from exc


def material_get_for_user(*, user: AbstractBaseUser, pk: int) -> Material:
    """A material for someone planning with the library; 404 for everyone else.

    Participants receive participant materials through their cohort (the release
    rule is ``sessions.selectors.materials``); facilitator-only materials are never theirs.
    """
    _require_library(user)
    try:
        return Material.objects.select_related("session_plan__programme").get(pk=pk)
    except Material.DoesNotExist as exc:
        raise Http404 from exc


def information_pack_current(*, programme: Programme) -> InformationPack | None:
    """The pack people read now, with its sections in order: the newest published version, else the newest.

    The one "current pack" rule: invitees read it, acknowledge it, and a place is confirmed only against it.
    """
    return (
        InformationPack.objects.filter(programme_id=programme.pk)
        .prefetch_related(Prefetch("sections", queryset=InformationPackSection.objects.order_by("position", "pk")))
        .order_by(Case(When(published_at__isnull=False, then=0), default=1), "-version")
        .first()
    )


def programme_problems(*, programme: Programme) -> list[str]:
    """What stops ``programme`` being published, in plain words (empty when it is ready)."""
    problems: list[str] = []
    plans = list(session_plans_overview(programme=programme))
    weeks = {p.number for p in plans if p.kind == SessionPlan.Kind.WEEKLY}
    missing = sorted(set(range(1, programme.weekly_session_count + 1)) - weeks)
    if missing:
        problems.append(_("Weeks without a plan: %(weeks)s.") % {"weeks": ", ".join(map(str, missing))})
    boosters = {p.number for p in plans if p.kind == SessionPlan.Kind.BOOSTER}
    missing = sorted(set(range(1, len(programme.booster_offsets_weeks) + 1)) - boosters)
    if missing:
        problems.append(_("Boosters without a plan: %(n)s.") % {"n": ", ".join(map(str, missing))})
    for plan in plans:
        if plan.total_minutes != programme.session_minutes:
            problems.append(
                _("%(plan)s: the agenda adds up to %(total)s of %(length)s minutes.")
                % {"plan": plan.label, "total": plan.total_minutes, "length": programme.session_minutes}
            )
    pack = information_pack_current(programme=programme)
    if pack is None:
        problems.append(_("There is no information pack."))
    else:
        written = {s.topic for s in pack.sections.all() if s.body.strip()}
        for topic in InformationPackSection.Topic:
            if topic.value not in written:
                problems.append(_("The information pack has nothing yet on “%(topic)s”.") % {"topic": topic.label})
    return problems


def programme_export_text(*, programme: Programme) -> str:
    """The programme version as one YAML file (see programmes.interchange); files travel inside it."""
    plans = programme.session_plans.prefetch_related(
        Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position", "pk")),
        Prefetch("materials", queryset=Material.objects.order_by("position", "pk")),
    ).order_by("-kind", "number")
    data: dict = {
        "format": interchange.FORMAT_NAME,
        "format_version": interchange.FORMAT_VERSION,
        "programme": {name: getattr(programme, name) for name in interchange.PROGRAMME_FIELDS},
    }
    data["programme"]["family"] = str(programme.family)
    data["programme"]["booster_offsets_weeks"] = list(programme.booster_offsets_weeks)
    plan_rows = []
    for plan in plans:
        row = {name: getattr(plan, name) for name in interchange.PLAN_FIELDS}
        row["agenda"] = [
            {name: getattr(i, name) for name in interchange.AGENDA_FIELDS} for i in plan.agenda_items.all()
        ]
        materials = []
        for material in plan.materials.all():
            entry = {name: getattr(material, name) for name in interchange.MATERIAL_FIELDS}
            if material.file:
                with material.file.open("rb") as handle:
                    name = material.file_name or material.file.name.rsplit("/", 1)[-1]
                    entry["file"] = interchange.encode_file(name, handle.read())
            materials.append(entry)
        row["materials"] = materials
        plan_rows.append(row)
    data["programme"]["session_plans"] = plan_rows
    pack = information_pack_current(programme=programme)
    if pack is not None:
        data["programme"]["information_pack"] = {
            **{name: getattr(pack, name) for name in interchange.PACK_FIELDS},
            "sections": [{name: getattr(s, name) for name in interchange.SECTION_FIELDS} for s in pack.sections.all()],
        }
    return interchange.dump(data)
