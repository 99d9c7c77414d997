from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import CrispyMixin
from accounts.models import User
from programmes.models import Programme
from sessions.models import Cohort, HolidayRegion


class CohortForm(CrispyMixin, forms.Form):
    """Plan a cohort. Every refusal names the field and what to enter instead."""

    submit_label = _("Create the cohort and its sessions")

    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.filter(status=Programme.Status.PUBLISHED)
    )
    name = forms.CharField(label=_("Name"), max_length=150, help_text=_("For example: Spring group, Ward 7."))
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitators"),
        queryset=User.objects.filter(is_facilitator=True, is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One, two or three."),
    )
    start_date = forms.DateField(
        label=_("First session date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Start time (local)"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    time_zone = forms.CharField(label=_("Time zone"), initial="Europe/London", max_length=64)
    holiday_region = forms.ChoiceField(label=_("Bank holidays"), choices=HolidayRegion.choices, required=False)
    capacity = forms.IntegerField(
        label=_("Places"), min_value=1, required=False, help_text=_("Leave empty for the programme's usual size.")
    )
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    video_link = forms.CharField(label=_("Video link"), max_length=200, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Cohort.Status.PLANNING, Cohort.Status.PLANNING.label),
            (Cohort.Status.RECRUITING, Cohort.Status.RECRUITING.label),
        ],
        initial=Cohort.Status.PLANNING,
    )

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError(
                _("'%(value)s' is not a time zone we know. Enter a name such as Europe/London or America/Toronto."),
                params={"value": value},
            )
        return value

    def clean_start_date(self):
        value = self.cleaned_data["start_date"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("This date is in the past. Choose today or a later date."))
        return value

    def clean_facilitators(self):
        value = self.cleaned_data["facilitators"]
        if not 1 <= len(value) <= 3:
            raise forms.ValidationError(_("Choose one, two or three facilitators."))
        return value

    def clean_video_link(self) -> str:
        value = self.cleaned_data["video_link"].strip()
        if value and not value.startswith("https://"):
            raise forms.ValidationError(
                _("Use a secure link that starts with https:// (copy it from your video service).")
            )
        if value:
            forms.URLField().clean(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        programme = data.get("programme")
        capacity = data.get("capacity")
        if programme and capacity and capacity > programme.max_capacity:
            self.add_error(
                "capacity",
                _("This programme allows at most %(max)d places. Enter %(max)d or fewer.")
                % {"max": programme.max_capacity},
            )
        if not data.get("venue") and not data.get("video_link") and "video_link" not in self.errors:
            self.add_error("venue", _("Enter a venue, a video link, or both, so people know where to go."))
        return data
