from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import CrispyFormMixin


class InviteForm(CrispyFormMixin, forms.Form):
    submit_label = _("Send the invitation")
    email = forms.EmailField(label=_("Email address"), help_text=_("Their work email address."))


class RescheduleForm(CrispyFormMixin, forms.Form):
    submit_label = _("Move the session and tell the group")
    local_date = forms.DateField(label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(
        label=_("Start time (local)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Leave empty to keep the group's usual time."),
    )
    reason = forms.CharField(label=_("Why it moves"), max_length=200, help_text=_("Participants see this."))


class CancelForm(CrispyFormMixin, forms.Form):
    submit_label = _("Cancel the session and tell the group")
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=300, help_text=_("Participants see this."))


class WithdrawForm(CrispyFormMixin, forms.Form):
    submit_label = _("Withdraw the place")
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the facilitators see this."),
    )


class GroupNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Group notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Themes of the session, not notes about individuals."),
    )


class InvitationAcceptForm(CrispyFormMixin, forms.Form):
    submit_label = _("Create my account")
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        min_length=10,
        help_text=_("At least 10 characters."),
    )


class CohortUpdateForm(CrispyFormMixin, forms.Form):
    submit_label = _("Save changes")
    name = forms.CharField(label=_("Name"), max_length=150)
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitators"),
        queryset=User.objects.filter(is_facilitator=True, is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One, two or three."),
        error_messages={"required": _("Choose one, two or three facilitators.")},
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        min_value=1,
        error_messages={
            "min_value": _("A cohort needs at least 1 place. Enter 1 or more."),
            "invalid": _("Enter the number of places as a whole number, such as 8."),
        },
    )
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    video_link = forms.CharField(
        label=_("Video link"), max_length=200, required=False, help_text=_("A secure link starting with https://.")
    )


# --- Protected time ---------------------------------------------------------


class ProtectedTimeDecisionForm(forms.Form):
    """Approve or decline some or all waiting sessions of one request."""

    ACTIONS = [("approve", _("Approve ticked")), ("approve_all", _("Approve all waiting")), ("decline", _("Decline"))]

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

    def __init__(self, *args: object, line_choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = line_choices

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why you are declining, so your colleague can plan."))
        if data.get("action") != "approve_all" and not data.get("lines") and "lines" not in self.errors:
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
