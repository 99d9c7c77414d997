"""The service lead's crisis-contacts page: the list per region, add, change, remove."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from core.crisis_contacts import crisis_contact_delete, crisis_contact_save
from core.errors import DomainError
from core.forms import form_add_domain_error
from core.models import CrisisContact


class CrisisContactForm(forms.Form):
    region = forms.CharField(label=gettext_lazy("Region"), max_length=10, help_text=gettext_lazy("GB-ENG, CA-ON, IE…"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False)
    number = forms.CharField(
        label=gettext_lazy("Number"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("A phone number or short code (116 123, +1 416 555 0100), or 'Text SHOUT to 85258'."),
    )
    hours = forms.CharField(label=gettext_lazy("Hours"), max_length=120, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=240, required=False)
    position = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, initial=0, required=False)


def _contact(pk: int | None) -> CrisisContact | None:
    if pk is None:
        return None
    contact = CrisisContact.objects.filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


@role_required("service_lead")
def crisis_contacts(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """List every region's contacts; the form adds one, or changes ``pk``. Refusals say why beside the field."""
    contact = _contact(pk)
    initial = (
        {f: getattr(contact, f) for f in ("region", "name", "number", "hours", "note", "position")} if contact else {}
    )
    form = CrisisContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            crisis_contact_save(contact=contact, **{**data, "position": data["position"] or 0})
        except DomainError as error:
            form_add_domain_error(form=form, error=error)
        else:
            messages.success(request, _("Saved."))
            return redirect("facilitation:crisis_contacts")
    contacts = list(CrisisContact.objects.order_by("region", "position", "name"))
    return render(
        request, "facilitation/crisis_contacts.html", {"contacts": contacts, "form": form, "editing": contact}
    )


@role_required("service_lead")
@require_POST
def crisis_contact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    crisis_contact_delete(contact=_contact(pk))
    messages.success(request, _("Removed."))
    return redirect("facilitation:crisis_contacts")
