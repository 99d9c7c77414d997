"""Screens for facilitators and the service lead: the programme library, plans, materials and packs."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import rule_required
from core.errors import DomainError
from programmes import interchange, selectors
from programmes.downloads import material_file_response
from programmes.forms import (
    AgendaFormSet,
    AgendaItemForm,
    InformationPackForm,
    MaterialFormSet,
    ProgrammeForm,
    ProgrammeImportForm,
    SessionPlanForm,
)
from programmes.interchange import ImportFormatError
from programmes.models import Programme, SessionPlan
from programmes.services import editing, importing, publishing, versions


def library_required(view: Callable) -> Callable:
    """Facilitators and the service lead only; anyone else signed in gets the 403 page."""
    return rule_required("programmes.use_library")(view)


def _new_version_note(request: HttpRequest, before: Programme, after: Programme) -> None:
    if after.pk != before.pk:
        messages.info(
            request,
            _(
                "Version %(old)s is published or in use, so your changes were saved as version %(new)s, a draft. "
                "Cohorts already using version %(old)s are not affected. Publish version %(new)s when it is ready."
            )
            % {"old": before.version, "new": after.version},
        )


@library_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = selectors.programme_list(user=request.user)
    return render(request, "programmes/programme_list.html", {"programmes": programmes})


@library_required
@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    plans = list(selectors.session_plans_overview(programme=programme))
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "weekly_plans": [p for p in plans if p.kind == SessionPlan.Kind.WEEKLY],
            "booster_plans": [p for p in plans if p.kind == SessionPlan.Kind.BOOSTER],
            "in_use": selectors.programme_is_in_use(programme=programme),
        },
    )


@library_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    form = ProgrammeForm(request.POST or None, submit_label=_("Create programme"))
    if request.method == "POST" and form.is_valid():
        try:
            programme = editing.programme_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Programme created, with a placeholder plan for each week."))
            return redirect(programme)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": None})


@library_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    form = ProgrammeForm(request.POST or None, instance=programme, submit_label=_("Save changes"))
    if request.method == "POST" and form.is_valid():
        try:
            saved = editing.programme_update(programme=programme, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            _new_version_note(request, programme, saved)
            messages.success(request, _("Changes saved."))
            return redirect(saved)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": programme})


@library_required
@require_POST
def programme_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    copy = versions.programme_duplicate(programme=programme, by=request.user)
    messages.success(request, _("This is your copy, a draft. Rename it and adapt it as you like."))
    return redirect("programmes:programme_edit", pk=copy.pk)


@library_required
@require_POST
def programme_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    copy, _mapping = versions.programme_new_version(programme=programme, by=request.user)
    messages.success(request, _("Version %(v)s created as a draft.") % {"v": copy.version})
    return redirect(copy)


@library_required
@require_POST
def programme_publish(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    try:
        publishing.programme_publish(programme=programme, by=request.user)
    except DomainError as exc:
        messages.warning(request, exc.message)
    else:
        messages.success(request, _("Published. Facilitators can now plan cohorts with it."))
    return redirect(programme)


@library_required
@require_http_methods(["GET", "POST"])
def programme_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks "are you sure?" and says what retiring does; POST retires."""
    programme = selectors.programme_get(user=request.user, pk=pk)
    if request.method == "GET":
        return render(request, "programmes/programme_retire.html", {"programme": programme})
    publishing.programme_retire(programme=programme, by=request.user)
    messages.success(request, _("Retired. Cohorts already using it carry on unchanged."))
    return redirect(programme)


@library_required
@require_GET
def programme_export(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    text = selectors.programme_export_text(programme=programme)
    filename = f"{slugify(programme.name)[:60] or 'programme'}-v{programme.version}.yaml"
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@library_required
@require_http_methods(["GET", "POST"])
def programme_import(request: HttpRequest) -> HttpResponse:
    form = ProgrammeImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme, _created = importing.programme_import(
                text=form.cleaned_data["file"], by=request.user, publish=form.cleaned_data["publish"]
            )
        except ImportFormatError as exc:
            if exc.line:
                message = _("Line %(line)s: %(message)s Nothing was imported.") % {
                    "line": exc.line,
                    "message": exc.message,
                }
            else:
                message = _("%(message)s Nothing was imported.") % {"message": exc.message}
            form.add_error("file", message)
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("Imported %(name)s.") % {"name": programme})
            return redirect(programme)
    return render(request, "programmes/programme_import.html", {"form": form})


@library_required
@require_GET
def information_pack_preview(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    pack = selectors.information_pack_current(programme=programme)
    return render(request, "programmes/information_pack_preview.html", {"programme": programme, "pack": pack})


@library_required
@require_http_methods(["GET", "POST"])
def information_pack_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    pack = selectors.information_pack_current(programme=programme)
    if pack is None:
        messages.warning(request, _("This programme has no information pack."))
        return redirect(programme)
    form = InformationPackForm(request.POST or None, pack=pack)
    if request.method == "POST" and form.is_valid():
        saved = editing.information_pack_update(
            pack=pack,
            by=request.user,
            title=form.cleaned_data["title"],
            introduction=form.cleaned_data["introduction"],
            sections=form.sections(),
        )
        _new_version_note(request, programme, saved.programme)
        messages.success(request, _("Information pack saved."))
        return redirect("programmes:information_pack_preview", pk=saved.programme_id)
    return render(request, "programmes/information_pack_form.html", {"programme": programme, "form": form})


@library_required
@require_GET
def session_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.session_plan_get(user=request.user, pk=pk)
    return render(
        request,
        "programmes/session_plan_detail.html",
        {"plan": plan, "programme": plan.programme, "total_minutes": sum(i.minutes for i in plan.agenda_items.all())},
    )


def _material_initial(plan: SessionPlan) -> list[dict]:
    return [
        {
            "id": m.pk,
            "title": m.title,
            "kind": m.kind,
            "audience": m.audience,
            "release": m.release,
            "content": m.content,
            "url": m.url,
            "file_name": m.file_name or (m.file.name.rsplit("/", 1)[-1] if m.file else ""),
        }
        for m in plan.materials.all()
    ]


@library_required
@require_http_methods(["GET", "POST"])
def session_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.session_plan_get(user=request.user, pk=pk)
    programme = plan.programme
    material_initial = _material_initial(plan)
    if request.method == "POST":
        form = SessionPlanForm(request.POST, instance=plan)
        agenda = AgendaFormSet(request.POST, prefix="agenda", session_minutes=programme.session_minutes)
        materials = MaterialFormSet(request.POST, request.FILES, prefix="materials", initial=material_initial)
        if form.is_valid() and agenda.is_valid() and materials.is_valid():
            changes = [
                editing.MaterialChange(
                    id=m.cleaned_data.get("id"),
                    values={k: m.cleaned_data[k] for k in interchange.MATERIAL_FIELDS},
                    upload=m.cleaned_data.get("file"),
                    clear_file=m.cleaned_data.get("clear_file", False),
                )
                for m in materials.kept_forms()
            ] + [
                editing.MaterialChange(id=m.cleaned_data["id"], values={}, delete=True)
                for m in materials.deleted_forms
                if m.cleaned_data.get("id")
            ]
            try:
                saved = editing.session_plan_update(
                    plan=plan,
                    by=request.user,
                    values={k: form.cleaned_data[k] for k in interchange.PLAN_CONTENT_FIELDS},
                    agenda=agenda.agenda(),
                    materials=changes,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                _new_version_note(request, programme, saved.programme)
                messages.success(request, _("Session plan saved."))
                return redirect(saved)
    else:
        form = SessionPlanForm(instance=plan)
        agenda = AgendaFormSet(
            prefix="agenda",
            session_minutes=programme.session_minutes,
            initial=[{"title": i.title, "minutes": i.minutes, "notes": i.notes} for i in plan.agenda_items.all()],
        )
        materials = MaterialFormSet(prefix="materials", initial=material_initial)
    return render(
        request,
        "programmes/session_plan_form.html",
        {"plan": plan, "programme": programme, "form": form, "agenda": agenda, "materials": materials},
    )


@library_required
@require_GET
def agenda_row_add(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: a new, empty agenda row at the next index, and the formset's updated form count."""
    plan = selectors.session_plan_get(user=request.user, pk=pk)
    try:
        index = max(0, min(int(request.GET.get("agenda-TOTAL_FORMS", "0")), 200))
    except ValueError:
        index = 0
    form = AgendaItemForm(prefix=f"agenda-{index}", use_required_attribute=False)
    return render(
        request,
        "programmes/partials/agenda_row_added.html",
        {"plan": plan, "agenda_form": form, "index": index, "total_forms": index + 1},
    )


@library_required
@require_GET
def agenda_row_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: replace a row with its hidden "delete" marker, so the formset's numbering stays intact."""
    selectors.session_plan_get(user=request.user, pk=pk)
    try:
        index = max(0, min(int(request.GET.get("index", "0")), 200))
    except ValueError:
        index = 0
    return render(request, "programmes/partials/agenda_row_removed.html", {"index": index})


@library_required
@require_GET
def material_detail(request: HttpRequest, pk: int) -> HttpResponse:
    material = selectors.material_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "programmes/material_detail.html",
        {"material": material, "plan": material.session_plan, "programme": material.session_plan.programme},
    )


@library_required
@require_GET
def material_download(request: HttpRequest, pk: int) -> HttpResponse:
    material = selectors.material_get_for_user(user=request.user, pk=pk)
    return material_file_response(material)
