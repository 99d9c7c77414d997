from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reminders.registry import ReminderKind, all_kinds


class PreferencesForm(forms.Form):
    """Which optional reminder emails a person wants; essential ones are always sent."""

    kinds = forms.MultipleChoiceField(
        label=_("Emails you can turn off"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ticked emails are sent. Untick any you do not want; you will still see them in Notifications."),
    )

    def __init__(self, *args: object, kinds: list[ReminderKind] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        offered = all_kinds() if kinds is None else kinds
        self.fields["kinds"].choices = [(kind.code, kind.label) for kind in offered if not kind.essential]

    @property
    def offered(self) -> list[str]:
        return [code for code, _label in self.fields["kinds"].choices]


class RetryForm(forms.Form):
    """Retry one failed reminder (``reminder``) or, left empty, all of them."""

    # Bounded by the id column (a BigAutoField), so a forged number never reaches the database.
    reminder = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
