from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import CrispyMixin
from accounts.models import User


class InviteForm(CrispyMixin, forms.Form):
    submit_label = _("Send the invitation")
    email = forms.EmailField(label=_("Email address"), help_text=_("Their work email address."))


class RescheduleForm(CrispyMixin, forms.Form):
    submit_label = _("Move the session and tell the group")
    local_date = forms.DateField(label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(
        label=_("Start time (local)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Leave empty to keep the group's usual time."),
    )
    reason = forms.CharField(label=_("Why it moves"), max_length=200, help_text=_("Participants see this."))


class CancelForm(CrispyMixin, forms.Form):
    submit_label = _("Cancel the session and tell the group")
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=300, help_text=_("Participants see this."))


class WithdrawForm(CrispyMixin, forms.Form):
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


class InvitationAcceptForm(CrispyMixin, forms.Form):
    submit_label = _("Create my account")
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        min_length=10,
        help_text=_("At least 10 characters."),
    )


class CohortUpdateForm(CrispyMixin, forms.Form):
    submit_label = _("Save changes")
    name = forms.CharField(label=_("Name"), max_length=150)
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitators"),
        queryset=User.objects.filter(is_facilitator=True, is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One, two or three."),
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1)
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    video_link = forms.CharField(
        label=_("Video link"), max_length=200, required=False, help_text=_("A secure link starting with https://.")
    )
