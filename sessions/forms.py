# --- Check-ins ---

from datetime import date, datetime  # noqa: E402, RUF100

from crispy_forms.helper import FormHelper  # noqa: E402, RUF100
from crispy_forms.layout import Submit  # noqa: E402, RUF100
from django import forms  # noqa: E402, RUF100
from django.utils.translation import gettext_lazy as _  # noqa: E402, RUF100

from sessions.models import CheckIn, Weekday  # noqa: E402, RUF100


class _CheckinCrispy:
    submit_label = _("Save")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class AvailabilityWindowForm(_CheckinCrispy, forms.Form):
    submit_label = _("Add weekly window")
    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = forms.IntegerField(
        label=_("Length of each check-in (minutes)"),
        min_value=20,
        max_value=60,
        initial=30,
        error_messages={
            "min_value": _("A check-in lasts at least 20 minutes; enter 20 or more."),
            "max_value": _("A check-in lasts at most 60 minutes; enter 60 or less."),
        },
    )
    valid_from = forms.DateField(label=_("Starting on"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Last date (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", _("The window must end after it starts; choose a later time."))
        return data


class AvailabilitySlotForm(_CheckinCrispy, forms.Form):
    submit_label = _("Add one-off slot")
    local_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        min_value=20,
        max_value=60,
        initial=30,
        error_messages={
            "min_value": _("A check-in lasts at least 20 minutes; enter 20 or more."),
            "max_value": _("A check-in lasts at most 60 minutes; enter 60 or less."),
        },
    )


class BlockedDateForm(_CheckinCrispy, forms.Form):
    submit_label = _("Block this date")
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Note to yourself (optional)"), max_length=150, required=False)

    def clean_day(self) -> date:
        return self.cleaned_data["day"]


class CheckinBookForm(forms.Form):
    """Choose a kind and one of the free slots offered (``slots`` are ``FreeSlot`` objects)."""

    kind = forms.ChoiceField(label=_("What is it for?"), choices=CheckIn.Kind.choices)
    # Any well-formed slot is accepted here: the service decides whether it is still free, so a slot
    # taken since the page loaded gets "just been booked" and the nearest free times.
    slot = forms.CharField(label=_("Time"), error_messages={"required": _("Choose one of the times shown.")})

    def __init__(self, *args, slots=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.slots = {slot.key: slot for slot in slots}

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


class CheckinRecordForm(_CheckinCrispy, forms.Form):
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
    message = forms.CharField(
        label=_("Anything you would like us to know first (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
