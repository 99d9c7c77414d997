"""Form helpers shared by every app."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.validation import bounds_message, integer_bounds


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


class ModelBoundsMixin:
    """Hold a model form's whole-number fields to the model's bounds (validators and column type).

    The browser gets ``min``/``max`` on the input; the server refuses anything outside with a
    message naming the field and the range, instead of a database error or thousands of rows.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model = self._meta.model
        for name, form_field in self.fields.items():
            if not isinstance(form_field, forms.IntegerField):
                continue
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            low, high = integer_bounds(model_field)
            message = bounds_message(form_field.label or model_field.verbose_name, low, high)
            if low is not None:
                form_field.min_value = low
                form_field.widget.attrs["min"] = low
                form_field.validators.append(MinValueValidator(low, message=message))
            if high is not None:
                form_field.max_value = high
                form_field.widget.attrs["max"] = high
                form_field.validators.append(MaxValueValidator(high, message=message))


def form_add_domain_error(*, form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: beside the field it names, else above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
