"""Form helpers shared by every app."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class CrispyFormMixin:
    """Give a form a crispy-forms helper with one submit button.

    The button says ``submit_label`` (a class attribute, or a keyword argument
    for forms that serve several pages).
    """

    submit_label = _("Save")

    def __init__(self, *args: Any, submit_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label or self.submit_label))


def form_add_domain_error(*, form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: beside the field it names, else above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
