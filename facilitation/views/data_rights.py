"""Data rights pages: a person's own data (page and JSON), the audit trail search, erasing a person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from core.errors import DomainError
from core.forms import form_add_domain_error
from core.selectors import access_log_record_types, access_log_search
from facilitation.forms import AuditSearchForm, PersonEraseForm
from facilitation.selectors.data_rights import (
    audit_person_id,
    person_find_for_erasure,
    person_get_for_erasure,
    personal_data_for,
)
from facilitation.services.data_rights import person_erase

AUDIT_PAGE_SIZE = 50


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything Steady holds about the signed-in person, as a page (anyone signed in: it is only theirs)."""
    return render(request, "facilitation/my_data.html", {"sections": personal_data_for(user=request.user)})


@login_required
def my_data_json(request: HttpRequest) -> HttpResponse:
    sections = personal_data_for(user=request.user)
    payload = {
        "exported_at": timezone.now().isoformat(),
        "person_id": request.user.pk,
        "records": {section["label"]: section["rows"] for section in sections},
    }
    response = JsonResponse(payload, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="steady-my-data.json"'
    return response


@role_required("service_lead")
def audit_log(request: HttpRequest) -> HttpResponse:
    """Search the audit trail: who did what to which record, when, from where (never the record's content)."""
    form = AuditSearchForm(request.GET or None, record_types=access_log_record_types())
    filters: dict = {}
    if form.is_valid():
        filters.update(
            person_id=audit_person_id(query=form.cleaned_data["person"]),
            record_type=form.cleaned_data["record_type"],
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
    page = Paginator(access_log_search(**filters), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "facilitation/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})


@role_required("service_lead")
def person_erase_page(request: HttpRequest) -> HttpResponse:
    """Find a person by email, then confirm: their identity and clinical records are erased."""
    if request.method == "POST":
        form = PersonEraseForm(request.POST)
        person = person_get_for_erasure(pk=request.POST.get("person")) if form.is_valid() else None
        if person is not None:
            try:
                person_erase(actor=request.user, person=person)
            except DomainError as error:
                form_add_domain_error(form=form, error=error)
            else:
                messages.success(request, _("The person's data was erased. Their place in the figures is kept."))
                return redirect("facilitation:audit_log")
        found = person
    else:
        found = person_find_for_erasure(query=request.GET.get("email", ""))
        form = PersonEraseForm(initial={"person": found.pk}) if found else None
    return render(
        request,
        "facilitation/person_erase.html",
        {"form": form, "found": found, "email": request.GET.get("email", "")},
    )
