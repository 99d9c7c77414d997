"""Forms of the measures app: importing a licensed measure's wording."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import CrispyFormMixin

MAX_ITEM_FILE_BYTES = 200_000


class ItemFileForm(CrispyFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Item file"),
        help_text=_(
            "A .csv file with the columns number and text, or a .yaml file with a list called items "
            "(each with a number and a text) and, if you like, options (each with a value and a label)."
        ),
    )

    submit_label = _("Import")

    def clean_file(self) -> tuple[str, str]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ITEM_FILE_BYTES:
            raise ValidationError(_("This file is too large for a questionnaire's items."))
        try:
            return upload.name, upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("This file is not text. Choose a .csv or .yaml file.")) from exc


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("What did you do?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: phoned them the same day, agreed a plan, gave the crisis contacts."),
        max_length=2000,
    )
