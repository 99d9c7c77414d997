"""Views of the measures app: the register of measures and the import of a licensed measure's wording.

Managers never see any measure page: to them (and to anyone without a
facilitator or service-lead role) these pages do not exist (404).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError
from measures import selectors, services
from measures.forms import ItemFileForm


def staff_only(*roles: str) -> Callable:
    """Let in people holding one of ``roles``; to anyone else signed in the page does not exist."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not any(getattr(request.user, f"is_{role}", False) for role in roles):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@staff_only("facilitator", "service_lead")
@require_GET
def measure_list(request: HttpRequest) -> HttpResponse:
    return render(request, "measures/measure_list.html", {"measures": selectors.measures_register()})


@staff_only("facilitator", "service_lead")
@require_GET
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    measure = selectors.measure_with_items(measure_id=pk)
    return render(request, "measures/measure_detail.html", {"measure": measure})


@staff_only("service_lead")
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
