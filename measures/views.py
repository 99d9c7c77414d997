"""Staff views of the measures app: the register, licensed wording, risk alerts, results and evaluation
(participants' pages are in ``participant_views``).

Managers never see any measure page: like every page of a role someone does not hold, it answers 403
(``accounts.decorators.role_required``); a cohort or alert that is not theirs answers 404 (the selectors).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from core.errors import DomainError
from measures import reports, selectors, services
from measures.forms import AcknowledgeForm, ItemFileForm


@role_required("facilitator", "service_lead")
@require_GET
def measure_list(request: HttpRequest) -> HttpResponse:
    return render(request, "measures/measure_list.html", {"measures": selectors.measures_register()})


@role_required("facilitator", "service_lead")
@require_GET
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    measure = selectors.measure_with_items(measure_id=pk)
    return render(request, "measures/measure_detail.html", {"measure": measure})


@role_required("service_lead")
@require_http_methods(["GET", "POST"])
def measure_import(request: HttpRequest, pk: int) -> HttpResponse:
    measure = selectors.measure_with_items(measure_id=pk)
    if measure.wording_shipped:
        raise Http404
    form = ItemFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        filename, text = form.cleaned_data["file"]
        try:
            services.measure_items_import(measure=measure, text=text, filename=filename, by=request.user)
        except DomainError as exc:
            form.add_error("file", _("%(message)s Nothing was imported.") % {"message": exc.message})
        else:
            messages.success(request, _("Imported the wording of %(measure)s.") % {"measure": measure.short_name})
            return redirect("measures:measure_detail", pk=measure.pk)
    return render(request, "measures/measure_import.html", {"measure": measure, "form": form})


# --- Risk alerts (the cohort's facilitators) -------------------------------------------------------


@role_required("facilitator")
@require_GET
def risk_alert_list(request: HttpRequest) -> HttpResponse:
    alerts = list(selectors.risk_alerts_open_for(request.user))
    return render(request, "measures/risk_alert_list.html", {"risk_alerts": alerts})


@role_required("facilitator")
@require_http_methods(["GET", "POST"])
def risk_alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.risk_alert_for_facilitator(user=request.user, alert_id=pk)
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_alert_acknowledge(alert=alert, note=form.cleaned_data["note"], by=request.user)
        except DomainError as exc:
            form.add_error("note", exc.message)
        else:
            messages.success(request, _("Thank you. The note is saved with the alert."))
            return redirect("measures:risk_alert_list")
    return render(request, "measures/risk_alert_acknowledge.html", {"alert": alert, "form": form})


# --- Results and evaluation (the cohort's facilitators; service leads) --------------------------------


@role_required("facilitator")
@require_GET
def cohort_results(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_for_results(user=request.user, cohort_id=pk, service_lead_too=False)
    return render(request, "measures/cohort_results.html", {"table": reports.cohort_table(cohort=cohort)})


@role_required("facilitator", "service_lead")
@require_GET
def cohort_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_for_results(user=request.user, cohort_id=pk)
    return render(request, "measures/cohort_evaluation.html", {"evaluation": reports.cohort_evaluation(cohort=cohort)})


def _csv(rows: list[list[object]], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerows(rows)
    return response


@role_required("facilitator", "service_lead")
@require_GET
def cohort_evaluation_csv(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_for_results(user=request.user, cohort_id=pk)
    rows = reports.evaluation_csv_rows(evaluation=reports.cohort_evaluation(cohort=cohort))
    return _csv(rows, f"evaluation-cohort-{cohort.pk}.csv")


@role_required("facilitator", "service_lead")
@require_GET
def cohort_research_csv(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_for_results(user=request.user, cohort_id=pk)
    return _csv(reports.research_csv_rows(cohort=cohort), f"research-cohort-{cohort.pk}.csv")


# --- Service leads ----------------------------------------------------------------------------------


@role_required("service_lead")
@require_POST
def item_risk_flag(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """A service lead flags (or unflags) a question whose answer alerts the cohort's facilitators."""
    measure = selectors.measure_with_items(measure_id=pk)
    item = next((i for i in measure.items.all() if i.pk == item_pk), None)
    if item is None:
        raise Http404
    raw = request.POST.get("risk_min_value", "").strip()
    try:
        services.item_risk_flag_set(item=item, risk_min_value=int(raw) if raw else None, by=request.user)
    except ValueError:
        messages.error(request, _("Choose one of the answers offered."))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("measures:measure_detail", pk=measure.pk)
