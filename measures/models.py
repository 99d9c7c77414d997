"""Outcome measures: the register (measures, items, options, scales), the schedule, responses, scores, risk alerts.

The register is data: ``measures/data/*.yaml`` is loaded by ``manage.py load_measures``
(``measures.services.measure_load``), never typed into code. A licensed measure ships
its scoring but no item wording; the service lead imports the wording their licence
gives them (``measure_items_import``).

A submitted response is immutable: services change a response only through an
UPDATE whose WHERE clause says ``status = 'draft'``, and the database holds the
rules below as constraints (one original response per person, measure, cohort and
time point; one correction per response; one answer per item; one score per scale;
one risk alert per response; a submitted response has its submission time).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# baseline, mid, end, booster-1 .. booster-99
TIME_POINT_PATTERN = r"^(baseline|mid|end|booster-[1-9][0-9]?)$"


class Measure(models.Model):
    """One version of a validated questionnaire, as its data file describes it."""

    code = models.SlugField(_("code"), max_length=30, help_text=_("For example phq-9."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=30)
    instructions = models.TextField(_("instructions"), blank=True)
    licence = models.TextField(_("licence"))
    source_citation = models.TextField(_("source"))
    source_urls = models.JSONField(_("where the wording was checked"), default=list, blank=True)
    reproduction_notes = models.TextField(_("reproduction notes"), blank=True)
    wording_shipped = models.BooleanField(
        _("item wording ships with Steady"), help_text=_("False for licensed measures: the service imports it.")
    )
    wording_verified = models.BooleanField(_("wording checked word for word against the source"), default=False)
    wording_imported_at = models.DateTimeField(_("wording imported"), null=True, blank=True)
    wording_imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    item_count = models.PositiveSmallIntegerField(_("number of items"))
    definition_hash = models.CharField(max_length=64, help_text=_("SHA-256 of the loaded definition."))
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="measure_code_version_unique"),
            models.CheckConstraint(
                condition=Q(wording_imported_at__isnull=True) | Q(wording_shipped=False),
                name="measure_imports_only_licensed_wording",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.short_name} (v{self.version})"

    @property
    def has_wording(self) -> bool:
        """Whether people can answer it: the wording ships, or the service imported it."""
        return self.wording_shipped or self.wording_imported_at is not None


class OptionSet(models.Model):
    """The answers one or more items offer, e.g. 0 'Not at all' .. 3 'Nearly every day'."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="option_sets")
    code = models.SlugField(max_length=30)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["measure", "code"], name="option_set_unique_code")]

    def __str__(self) -> str:
        return f"{self.measure.short_name}: {self.code}"


class ResponseOption(models.Model):
    option_set = models.ForeignKey(OptionSet, on_delete=models.CASCADE, related_name="options")
    value = models.SmallIntegerField(_("value"))
    label = models.CharField(_("label"), max_length=100, blank=True)

    class Meta:
        ordering = ["option_set", "value"]
        constraints = [models.UniqueConstraint(fields=["option_set", "value"], name="response_option_unique_value")]

    def __str__(self) -> str:
        return f"{self.value} {self.label}".strip()


class Scale(models.Model):
    """A score the measure defines: the total, or a subscale; how it is computed and read."""

    class Method(models.TextChoices):
        SUM = "sum", _("Sum")
        MEAN = "mean", _("Mean")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="scales")
    code = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    method = models.CharField(_("method"), max_length=4, choices=Method)
    max_missing = models.PositiveSmallIntegerField(
        _("most missing items still scored"), default=0, help_text=_("Above this, no score. Missing items prorate.")
    )
    decimals = models.PositiveSmallIntegerField(_("decimal places"), default=0)
    bands = models.JSONField(_("bands"), default=list, blank=True, help_text=_('[{"min": 0, "max": 4, "label": ...}]'))
    conversion = models.JSONField(
        _("conversion table"), default=dict, blank=True, help_text=_("Raw score to reported score, e.g. SWEMWBS.")
    )
    reliable_change = models.DecimalField(_("reliable change"), max_digits=6, decimal_places=2, null=True, blank=True)
    higher_is_better = models.BooleanField(_("a higher score is better"))
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["measure", "position"]
        constraints = [models.UniqueConstraint(fields=["measure", "code"], name="scale_unique_code")]

    def __str__(self) -> str:
        return f"{self.measure.short_name}: {self.name}"


class Item(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("wording"), blank=True, help_text=_("Empty for a licensed measure until imported."))
    option_set = models.ForeignKey(OptionSet, on_delete=models.PROTECT, related_name="items")
    reverse_scored = models.BooleanField(_("reverse-scored"), default=False)
    scales = models.ManyToManyField(Scale, related_name="items", blank=True)
    risk_min_value = models.SmallIntegerField(
        _("risk when the answer is at least"), null=True, blank=True, help_text=_("Empty: not a risk item.")
    )

    class Meta:
        ordering = ["measure", "number"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "number"], name="item_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="item_number_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.short_name} item {self.number}"


class ScheduledMeasure(models.Model):
    """A measure a programme version asks for at a time point (baseline, mid, end, booster-N)."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="scheduled_measures")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="schedules")
    time_point = models.CharField(_("time point"), max_length=12)
    week = models.PositiveSmallIntegerField(
        _("weekly session it is due at"), null=True, blank=True, help_text=_("For mid and end; e.g. 6 and 12.")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "measure", "time_point"], name="scheduled_measure_unique_time_point"
            ),
            models.CheckConstraint(
                condition=Q(time_point__regex=TIME_POINT_PATTERN), name="scheduled_time_point_valid"
            ),
            # Baseline is due before week 1, a booster at its booster session; mid and end at a weekly session.
            models.CheckConstraint(
                condition=Q(time_point__in=["mid", "end"], week__isnull=False)
                | (~Q(time_point__in=["mid", "end"]) & Q(week__isnull=True)),
                name="scheduled_week_only_mid_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.short_name} at {self.time_point}"


class Response(models.Model):
    """One person's answers to one measure at one time point of a cohort."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Started")
        SUBMITTED = "submitted", _("Submitted")

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="responses")
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="responses")
    cohort = models.ForeignKey("group_sessions.Cohort", on_delete=models.CASCADE, related_name="responses")
    time_point = models.CharField(_("time point"), max_length=12)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    started_at = models.DateTimeField(_("started"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections")

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["cohort", "measure", "time_point"], name="response_cohort_measure_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(time_point__regex=TIME_POINT_PATTERN), name="response_time_point_valid"),
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True)
                | Q(status="submitted", submitted_at__isnull=False),
                name="response_submitted_has_time",
            ),
            # One original response per person, measure, cohort and time point; changes are corrections.
            models.UniqueConstraint(
                fields=["participant", "measure", "cohort", "time_point"],
                condition=Q(corrects__isnull=True),
                name="response_one_original",
            ),
            # A response is corrected at most once; a later change corrects the correction.
            models.UniqueConstraint(
                fields=["corrects"], condition=Q(corrects__isnull=False), name="response_one_correction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.short_name} {self.time_point} ({self.get_status_display()})"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField(_("answer"))
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        ordering = ["response", "item__number"]
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="answer_one_per_item")]

    def __str__(self) -> str:
        # Never the value: names are shown where answers are not (the admin's delete confirmation lists them).
        return f"Answer to {self.item}"


class Score(models.Model):
    """A scale's score for a submitted response; ``value`` is empty when too many items were missing."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="scores")
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    raw_value = models.DecimalField(
        _("raw score"), max_digits=7, decimal_places=2, null=True, blank=True, help_text=_("Before a conversion table.")
    )
    band = models.CharField(_("band"), max_length=60, blank=True)
    answered = models.PositiveSmallIntegerField(_("items answered"))
    prorated = models.BooleanField(_("prorated"), default=False)

    class Meta:
        ordering = ["response", "scale__position"]
        constraints = [models.UniqueConstraint(fields=["response", "scale"], name="score_one_per_scale")]

    def __str__(self) -> str:
        # Never the value: names are shown where scores are not (the admin's delete confirmation lists them).
        return f"{self.scale} score"


class RiskAlert(models.Model):
    """A flagged answer in a submitted response: one alert per response, open until acknowledged."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="risk_alert")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("raised"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action_note = models.TextField(_("action taken"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True, action_note="")
                | (Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False) & ~Q(action_note="")),
                name="risk_alert_acknowledged_with_note",
            ),
        ]

    def __str__(self) -> str:
        return f"Risk alert on {self.response}"
