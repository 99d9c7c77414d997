from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import CrispyFormMixin
from programmes.models import Programme
from sessions.models import CheckIn, Cohort, HolidayRegion, Weekday
from sessions.models.checkins import CHECKIN_MAX_MINUTES, CHECKIN_MIN_MINUTES

# The largest id a BigAutoField holds: a bigger number never reaches the database (SQLite cannot bind it).
LARGEST_ID = 2**63 - 1


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    """Choose people by id; an id that is not a whole number in range is refused before any query."""

    def _check_values(self, value: Iterable[object]) -> QuerySet:
        for pk in value:
            text = str(pk).strip()
            if not text.isdigit() or not 1 <= int(text) <= LARGEST_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


def facilitators_field() -> forms.ModelMultipleChoiceField:
    """The cohort's one to three facilitators, chosen from active facilitators."""
    return PeopleChoiceField(
        label=_("Facilitators"),
        queryset=User.objects.filter(is_facilitator=True, is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One, two or three."),
        error_messages={"required": _("Choose one, two or three facilitators.")},
    )


# The zones Steady's services run in first, then every other zone by name.
FIRST_TIME_ZONES = ("Europe/London", "America/Toronto")


def time_zone_choices() -> list[tuple[str, str]]:
    others = sorted(zoneinfo.available_timezones() - set(FIRST_TIME_ZONES) - {"localtime", "Factory"})
    return [(zone, zone.replace("_", " ")) for zone in (*FIRST_TIME_ZONES, *others)]


class CohortForm(CrispyFormMixin, forms.Form):
    """Plan a cohort. Every refusal names the field and what to enter instead."""

    submit_label = _("Create the cohort and its sessions")

    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.filter(status=Programme.Status.PUBLISHED)
    )
    name = forms.CharField(label=_("Name"), max_length=150, help_text=_("For example: Spring group, Ward 7."))
    facilitators = facilitators_field()
    start_date = forms.DateField(
        label=_("First session date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the date of the first session as day/month/year, such as 14/09/2026.")},
    )
    start_time = forms.TimeField(
        label=_("Start time (local)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter the start time as hours and minutes, such as 13:00.")},
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), initial="Europe/London", choices=time_zone_choices)
    holiday_region = forms.ChoiceField(label=_("Bank holidays"), choices=HolidayRegion.choices, required=False)
    capacity = forms.IntegerField(
        label=_("Places"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for the programme's usual size."),
        error_messages={
            "min_value": _("A cohort needs at least 1 place. Enter 1 or more, or leave it empty for the usual size."),
            "invalid": _("Enter the number of places as a whole number, such as 8."),
        },
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].error_messages["invalid_choice"] = _(
            "'%(value)s' is not a time zone we know."
            " Choose one from the list, such as Europe/London or America/Toronto."
        )
        # With one programme to run, it is the one: no "---------" to choose past.
        programmes = list(self.fields["programme"].queryset[:2])
        if len(programmes) == 1 and not self.is_bound:
            self.fields["programme"].initial = programmes[0].pk
            self.fields["programme"].empty_label = None

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


# --- Check-ins ---


_interpolated = lazy(lambda message, values: str(message) % values, str)


def checkin_length_field(*, label: str) -> forms.IntegerField:
    """A check-in's length in minutes, within the one set of bounds (sessions.models.checkins)."""
    return forms.IntegerField(
        label=label,
        min_value=CHECKIN_MIN_MINUTES,
        max_value=CHECKIN_MAX_MINUTES,
        initial=30,
        error_messages={
            # Interpolated when shown, so each person reads it in their language.
            "min_value": _interpolated(
                _("A check-in lasts at least %(min)d minutes; enter %(min)d or more."), {"min": CHECKIN_MIN_MINUTES}
            ),
            "max_value": _interpolated(
                _("A check-in lasts at most %(max)d minutes; enter %(max)d or less."), {"max": CHECKIN_MAX_MINUTES}
            ),
        },
    )


class AvailabilityWindowForm(CrispyFormMixin, forms.Form):
    submit_label = _("Add weekly window")
    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = checkin_length_field(label=_("Length of each check-in (minutes)"))
    valid_from = forms.DateField(label=_("Starting on"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Last date (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", _("The window must end after it starts; choose a later time."))
        return data


class AvailabilitySlotForm(CrispyFormMixin, forms.Form):
    submit_label = _("Add one-off slot")
    local_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = checkin_length_field(label=_("Length (minutes)"))


class BlockedDateForm(CrispyFormMixin, forms.Form):
    submit_label = _("Block this date")
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Note to yourself (optional)"), max_length=150, required=False)

    def clean_day(self) -> date:
        return self.cleaned_data["day"]


class CheckinBookForm(forms.Form):
    """Choose a kind and one of the free slots offered (``slots`` are ``FreeSlot`` objects)."""

    kind = forms.ChoiceField(label=_("What is it for?"), choices=CheckIn.Kind.choices)
    place = forms.ChoiceField(
        label=_("Where and how"),
        choices=CheckIn.Place.choices,
        initial=CheckIn.Place.PHONE,
        required=False,
        widget=forms.RadioSelect,
    )
    place_detail = forms.CharField(
        label=_("Room, phone number or video link"),
        required=False,
        max_length=300,
        help_text=_("A room needs its name; a video call a link starting with https://. Optional for a phone call."),
    )
    # Any well-formed slot is accepted here: the service decides whether it is still free, so a slot
    # taken since the page loaded gets "just been booked" and the nearest free times.
    slot = forms.CharField(label=_("Time"), error_messages={"required": _("Choose one of the times shown.")})

    def __init__(self, *args, slots=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.slots = {slot.key: slot for slot in slots}

    def clean_place(self) -> str:
        return self.cleaned_data["place"] or CheckIn.Place.PHONE

    def clean_slot(self) -> tuple[int, datetime]:
        facilitator_id, _sep, starts = self.cleaned_data["slot"].partition(":")
        try:
            starts_at = datetime.fromisoformat(starts)
            facilitator = int(facilitator_id)
        except ValueError:
            raise forms.ValidationError(_("Choose one of the times shown.")) from None
        if starts_at.tzinfo is None:
            raise forms.ValidationError(_("Choose one of the times shown."))
        return facilitator, starts_at


class CheckinPlaceForm(CrispyFormMixin, forms.Form):
    submit_label = _("Save where and how")
    place = forms.ChoiceField(label=_("Where and how"), choices=CheckIn.Place.choices, widget=forms.RadioSelect)
    place_detail = forms.CharField(
        label=_("Room, phone number or video link"),
        required=False,
        max_length=300,
        help_text=_("A room needs its name; a video call a link starting with https://. Optional for a phone call."),
    )


class CheckinRecordForm(CrispyFormMixin, forms.Form):
    submit_label = _("Save the record")
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(value, label) for value, label in CheckIn.Status.choices if value != CheckIn.Status.CANCELLED],
    )
    notes = forms.CharField(
        label=_("Private notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Only the group's facilitators can read these; every reading is logged."),
    )
    follow_up_actions = forms.CharField(
        label=_("Follow-up actions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    shared_summary = forms.CharField(
        label=_("Summary to share with the participant (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The participant sees this, and nothing else of the record."),
    )


class HelpRequestForm(forms.Form):
    cohort = forms.IntegerField(widget=forms.HiddenInput)
    # Set by the withdrawal page: after asking, the person comes back to it.
    next = forms.CharField(required=False, widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("Anything you would like us to know first (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InviteForm(CrispyFormMixin, forms.Form):
    submit_label = _("Send the invitation")
    email = forms.EmailField(label=_("Email address"), help_text=_("Their work email address."))
    reason = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


class GoAheadForm(CrispyFormMixin, forms.Form):
    """A facilitator's reason to go ahead with one person despite a closed group or a safeness conflict."""

    submit_label = _("Go ahead for this person")
    reason = forms.CharField(
        label=_("Your reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the place; only this group's facilitators see it."),
        error_messages={"required": _("Give a reason to go ahead, or choose a later group for this person.")},
    )


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
    facilitators = facilitators_field()
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


class HelpRequestHandleForm(forms.Form):
    note = forms.CharField(
        label=_("What did you do?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write a line on what you did (for example: called, we agreed to meet).")},
    )
