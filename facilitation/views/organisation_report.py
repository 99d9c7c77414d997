"""The organisation report (service leads only; anyone else signed in gets the 403 page, as on every
role-checked facilitation page): measures' place and change figures with the protected-time figures."""

from __future__ import annotations

import csv

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from facilitation.organisation_report_cache import organisation_report_kept
from facilitation.selectors import organisation_report as selectors


def _tables(to: str) -> str:
    report = selectors.organisation_report_full(to=to)
    context = {"report": report, "r": report.measures, "pt_header": selectors.protected_time_header()}
    return render_to_string("facilitation/partials/organisation_report_tables.html", context)


@role_required("service_lead")
@require_GET
def organisation_report(request: HttpRequest) -> HttpResponse:
    """The tables are the same for every service lead and kept for a few minutes (organisation_report_cache)."""
    kept = organisation_report_kept(to=request.GET.get("to", ""), render=_tables)
    context = {
        "tables": kept.html,
        "worked_out_at": kept.worked_out_at,
        "max_age_minutes": max(1, settings.STEADY_ORGANISATION_REPORT_MAX_AGE // 60),
    }
    return render(request, "facilitation/organisation_report.html", context)


@role_required("service_lead")
@require_GET
def organisation_report_csv(request: HttpRequest) -> HttpResponse:
    report = selectors.organisation_report_full(to=request.GET.get("to", ""))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="organisation-report.csv"'
    csv.writer(response).writerows(selectors.organisation_report_csv_rows(report=report))
    return response
