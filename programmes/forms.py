from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import CrispyFormMixin, ModelBoundsMixin
from programmes import interchange
from programmes.models import InformationPack, InformationPackSection, Material, Programme, SessionPlan
from programmes.services.editing import agenda_mismatch_message
from programmes.uploads import validate_material_file


class ProgrammeForm(ModelBoundsMixin, CrispyFormMixin, forms.ModelForm):
    """A programme's settings. Booster timings are typed as a list of weeks, such as "4, 12"."""

    booster_offsets_weeks = forms.CharField(
        label=_("Booster sessions (weeks after the last weekly session)"),
        required=False,
        help_text=_(
            "One number for each booster, separated by commas: 4, 12 means two boosters, at 4 and at 12 weeks."
            " Leave empty for no boosters."
        ),
    )

    class Meta:
        model = Programme
        fields = interchange.PROGRAMME_CONTENT_FIELDS
        widgets = {"summary": forms.Textarea(attrs={"rows": 4}), "audience": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["booster_offsets_weeks"] = ", ".join(str(w) for w in self.instance.booster_offsets_weeks)

    def clean_booster_offsets_weeks(self) -> list[int]:
        raw = self.cleaned_data["booster_offsets_weeks"].replace(";", ",")
        weeks: list[int] = []
        for part in filter(None, (p.strip() for p in raw.split(","))):
            if not part.isdigit() or not 1 <= int(part) <= 104:
                raise ValidationError(
                    _("“%(part)s” is not a number of weeks. Type whole numbers from 1 to 104, such as 4, 12."),
                    params={"part": part},
                )
            weeks.append(int(part))
        if weeks != sorted(set(weeks)):
            raise ValidationError(_("List each booster once, earliest first, such as 4, 12."))
        return weeks

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        default, largest = data.get("default_capacity"), data.get("max_capacity")
        if default and largest and default > largest:
            self.add_error(
                "default_capacity",
                _("The default group size cannot be more than the largest group size (%(max)s).") % {"max": largest},
            )
        return data

    def _post_clean(self) -> None:
        # The service saves; the form only validates the fields (skip the model's own full_clean).
        pass


class SessionPlanForm(forms.ModelForm):
    class Meta:
        model = SessionPlan
        fields = interchange.PLAN_CONTENT_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in interchange.PLAN_CONTENT_FIELDS
            if name not in ("title", "intensity", "needs_two_facilitators")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("intensity") == SessionPlan.Intensity.HIGH
            and not (data.get("intensity_preparation") or "").strip()
        ):
            self.add_error(
                "intensity_preparation",
                _("A high-intensity session needs a note of what to prepare, such as offering check-ins afterwards."),
            )
        return data

    def _post_clean(self) -> None:
        pass


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Item"), max_length=150)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=480)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BaseAgendaFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, session_minutes: int, **kwargs: Any) -> None:
        self.session_minutes = session_minutes
        super().__init__(*args, **kwargs)

    def kept_forms(self) -> list[forms.Form]:
        return [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]

    def clean(self) -> None:
        if any(self.errors):
            return
        kept = self.kept_forms()
        if not kept:
            raise ValidationError(_("Add at least one agenda item."))
        total = sum(form.cleaned_data["minutes"] for form in kept)
        if total != self.session_minutes:
            raise ValidationError(agenda_mismatch_message(total=total, session_minutes=self.session_minutes))

    def agenda(self) -> list[dict[str, Any]]:
        return [{key: form.cleaned_data[key] for key in ("title", "minutes", "notes")} for form in self.kept_forms()]


AgendaFormSet = forms.formset_factory(AgendaItemForm, formset=BaseAgendaFormSet, extra=0, can_delete=True)


class MaterialForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=Material.Kind.choices, initial=Material.Kind.HANDOUT)
    audience = forms.ChoiceField(
        label=_("Who sees it"), choices=Material.Audience.choices, initial=Material.Audience.PARTICIPANTS
    )
    release = forms.ChoiceField(
        label=_("When participants get it"), choices=Material.Release.choices, initial=Material.Release.AFTER_SESSION
    )
    content = forms.CharField(
        label=_("Content (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Headings with ##, lists with -, bold with **two stars**."),
    )
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Word (.docx), MP3, M4A, PNG or JPG, up to 20 MB."),
    )
    clear_file = forms.BooleanField(label=_("Remove the current file"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current_file_name = self.initial.get("file_name", "")

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload:
            validate_material_file(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_file = bool(data.get("file")) or (bool(self.current_file_name) and not data.get("clear_file"))
        if self.errors:
            return data
        if data.get("kind") == Material.Kind.LINK and not data.get("url"):
            self.add_error("url", _("A link material needs its web address."))
        elif not (data.get("content") or "").strip() and not data.get("url") and not has_file:
            self.add_error("content", _("Add some content, a file or a link, so there is something to open."))
        return data


class BaseMaterialFormSet(forms.BaseFormSet):
    def kept_forms(self) -> list[MaterialForm]:
        return [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]


MaterialFormSet = forms.formset_factory(MaterialForm, formset=BaseMaterialFormSet, extra=1, can_delete=True)


class InformationPackForm(CrispyFormMixin, forms.Form):
    submit_label = _("Save the information pack")

    """The pack's title, introduction and one heading and body for each of the nine topics."""

    title = forms.CharField(label=_("Title"), max_length=150)
    introduction = forms.CharField(label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, pack: InformationPack, **kwargs: Any) -> None:
        sections = {s.topic: s for s in pack.sections.all()}
        initial = {"title": pack.title, "introduction": pack.introduction}
        for topic in InformationPackSection.Topic:
            section = sections.get(topic.value)
            initial[f"{topic.value}_heading"] = section.heading if section else str(topic.label)
            initial[f"{topic.value}_body"] = section.body if section else ""
        super().__init__(*args, initial=initial, **kwargs)
        for topic in InformationPackSection.Topic:
            self.fields[f"{topic.value}_heading"] = forms.CharField(
                label=_("Heading: %(topic)s") % {"topic": topic.label}, max_length=150
            )
            self.fields[f"{topic.value}_body"] = forms.CharField(
                label=_("Text (Markdown): %(topic)s") % {"topic": topic.label},
                widget=forms.Textarea(attrs={"rows": 8}),
                error_messages={"required": _("Write something for this topic: participants need it before joining.")},
            )

    def sections(self) -> dict[str, tuple[str, str]]:
        return {
            topic.value: (self.cleaned_data[f"{topic.value}_heading"], self.cleaned_data[f"{topic.value}_body"])
            for topic in InformationPackSection.Topic
        }


class ProgrammeImportForm(CrispyFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Programme file"), help_text=_("A .yaml file exported from Steady (here or in another service).")
    )
    publish = forms.BooleanField(label=_("Publish it straight away"), required=False)

    submit_label = _("Import")

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("This file is not text. Choose the .yaml file that Steady exported.")) from exc
