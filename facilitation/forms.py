"""Forms for protected time: the manager's decision, comments, deputies, time agreed outside Steady."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

# --- Protected time ---------------------------------------------------------


class ProtectedTimeDecisionForm(forms.Form):
    """Approve or decline some or all waiting sessions of one request."""

    ACTIONS = [
        ("approve", _("Approve ticked")),
        ("approve_all", _("Approve all waiting")),
        ("decline", _("Decline")),
        ("comment", _("Add the comment only")),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    lines = forms.TypedMultipleChoiceField(
        label=_("Sessions"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=_("Reason (needed to decline)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: the ward is short-staffed that week; could you join the next group?"),
    )
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=1000)
    version = forms.IntegerField(widget=forms.HiddenInput)
    # "list": the decision was made from the list of requests, so the manager goes back to it.
    back = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, line_choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = line_choices

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why you are declining, so your colleague can plan."))
        if data.get("action") == "comment" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Write a comment first."))
        if data.get("action") in ("approve", "decline") and not data.get("lines") and "lines" not in self.errors:
            self.add_error("lines", _("Tick at least one session, or use “Approve all”."))
        return data


class ProtectedTimeBulkApproveForm(forms.Form):
    requests = forms.TypedMultipleChoiceField(label=_("Requests"), coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: object, request_choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requests"].choices = request_choices
        self.fields["requests"].error_messages["required"] = _("Tick at least one request to approve.")


class ProtectedTimeCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write a comment first.")},
    )


class ProtectedTimeExternalForm(forms.Form):
    note = forms.CharField(
        label=_("How the time was agreed"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who agreed it and when, for example: agreed by the team lead by phone on 3 March."),
        error_messages={"required": _("Add a note of who agreed the time and when.")},
    )


class ProtectedTimeDelegationForm(forms.Form):
    deputy_email = forms.EmailField(
        label=_("Deputy's email address"),
        help_text=_("A colleague with a Steady account who will decide while you are away."),
    )
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_deputy_email(self) -> User:
        email = self.cleaned_data["deputy_email"].lower()
        deputy = User.objects.filter(email=email, is_active=True).first()
        if deputy is None:
            raise forms.ValidationError(_("No one with an active account has that email address. Check the spelling."))
        return deputy

    def clean(self) -> dict:
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The last day must be on or after the first day."))
        return data


# --- Data rights and the audit trail ------------------------------------------


class AuditSearchForm(forms.Form):
    """The service lead's search of the audit trail: by person, record type and dates."""

    person = forms.CharField(
        label=_("Person (email or number)"),
        required=False,
        max_length=254,
        help_text=_("Rows where this person acted, or which are about them."),
    )
    record_type = forms.ChoiceField(label=_("Record type"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, record_types: list[str] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = [("", _("Any"))] + [(label, label) for label in record_types]


class PersonEraseForm(forms.Form):
    """The confirm step before a person's data is erased."""

    person = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I understand this cannot be undone: their name, email and clinical records will be deleted."),
        required=True,
    )
