"""What is taught: programme templates, their weekly session plans, materials and information packs.

A programme is versioned. Once any cohort uses a version, that version is
never edited in place: editing makes a new version (same ``family``, version
+ 1), and the cohort keeps the one it started with.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Programme(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    family = models.UUIDField(
        default=uuid.uuid4, db_index=True, help_text=_("Shared by every version of the same programme.")
    )
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(_("name"), max_length=150)
    summary = models.TextField(_("summary"), blank=True)
    audience = models.TextField(_("who it is for"), blank=True)
    weekly_session_count = models.PositiveSmallIntegerField(
        _("weekly sessions"), default=12, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    session_minutes = models.PositiveSmallIntegerField(
        _("session length (minutes)"), default=120, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    default_capacity = models.PositiveSmallIntegerField(
        _("default group size"), default=8, validators=[MinValueValidator(2), MaxValueValidator(30)]
    )
    max_capacity = models.PositiveSmallIntegerField(
        _("largest group size"), default=12, validators=[MinValueValidator(2), MaxValueValidator(30)]
    )
    booster_offsets_weeks = models.JSONField(
        _("booster sessions (weeks after the last weekly session)"),
        default=list,
        blank=True,
        help_text=_("For example [4, 12]."),
    )
    neutral_label = models.CharField(
        _("neutral label"),
        max_length=80,
        default="Staff wellbeing group",
        help_text=_("Shown in calendars, emails and to managers, so nothing outside the group reveals what it is."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    pre_group_checkin_required = models.BooleanField(
        _("pre-group check-in required before a place is confirmed"), default=False
    )
    join_closes_after_week = models.PositiveSmallIntegerField(
        _("new people may join until week"),
        null=True,
        blank=True,
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text=_(
            "Once this week's session is held the group is closed: no more invitations or places from the "
            "waitlist. Leave empty for a group people may join at any time."
        ),
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The programme this one was copied from (an earlier version, or a duplicate's original)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="programme_family_version_unique"),
            models.CheckConstraint(
                condition=Q(default_capacity__lte=F("max_capacity")), name="programme_default_capacity_within_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("programmes:programme_detail", kwargs={"pk": self.pk})


class SessionPlan(models.Model):
    """The plan for one week of a programme, or for one booster session."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly session")
        BOOSTER = "booster", _("Booster session")

    class Intensity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="session_plans")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.WEEKLY)
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("Week number for a weekly session (1, 2, ...); booster number for a booster.")
    )
    title = models.CharField(_("title"), max_length=150)
    aims = models.TextField(_("aims"), blank=True)
    opening_practice = models.TextField(_("opening practice"), blank=True)
    main_practice = models.TextField(_("main practice"), blank=True)
    home_practice = models.TextField(_("home practice"), blank=True)
    facilitator_guidance = models.TextField(_("facilitator guidance"), blank=True)
    intensity = models.CharField(_("emotional intensity"), max_length=8, choices=Intensity, default=Intensity.MEDIUM)
    intensity_preparation = models.TextField(
        _("what to prepare"),
        blank=True,
        help_text=_("For a high-intensity session: support to have ready, such as a check-in offer afterwards."),
    )
    needs_two_facilitators = models.BooleanField(
        _("needs two facilitators"),
        default=False,
        help_text=_("Steady warns until a cohort has two facilitators free for this session."),
    )

    class Meta:
        ordering = ["programme", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind", "number"], name="session_plan_unique_number"),
        ]

    def __str__(self) -> str:
        prefix = _("Week") if self.kind == self.Kind.WEEKLY else _("Booster")
        return f"{prefix} {self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("programmes:session_plan_detail", kwargs={"pk": self.pk})

    @property
    def label(self) -> str:
        """ "Week 3" or "Booster 1"."""
        prefix = _("Week") if self.kind == self.Kind.WEEKLY else _("Booster")
        return f"{prefix} {self.number}"


class AgendaItem(models.Model):
    """One timed item of a session plan's agenda; the minutes add up to the session length."""

    session_plan = models.ForeignKey(SessionPlan, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("item"), max_length=150)
    minutes = models.PositiveSmallIntegerField(_("minutes"), validators=[MinValueValidator(1)])
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["session_plan", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.minutes} min)"


class Material(models.Model):
    """A handout, practice script, audio, worksheet or link, released to participants by a rule."""

    class Kind(models.TextChoices):
        HANDOUT = "handout", _("Handout")
        PRACTICE_SCRIPT = "practice_script", _("Practice script")
        AUDIO = "audio", _("Audio")
        WORKSHEET = "worksheet", _("Worksheet")
        LINK = "link", _("Link")

    class Audience(models.TextChoices):
        PARTICIPANTS = "participants", _("Participants")
        FACILITATORS = "facilitators", _("Facilitators only")

    class Release(models.TextChoices):
        ON_ENROLMENT = "on_enrolment", _("When the place is confirmed")
        AFTER_SESSION = "after_session", _("After the session is held")
        WEEK_START = "week_start", _("At the start of the week")

    session_plan = models.ForeignKey(SessionPlan, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.HANDOUT)
    audience = models.CharField(_("audience"), max_length=15, choices=Audience, default=Audience.PARTICIPANTS)
    content = models.TextField(_("content (Markdown)"), blank=True)
    file = models.FileField(_("file"), upload_to="materials/%Y/%m/", blank=True)
    # What the file's first bytes say it is (pdf, docx, mp3, m4a, png, jpg), checked on upload.
    file_type = models.CharField(max_length=8, blank=True, editable=False)
    # The name the file had when it was uploaded (storage may add a suffix to keep names unique).
    file_name = models.CharField(max_length=200, blank=True, editable=False)
    url = models.URLField(_("link"), blank=True)
    release = models.CharField(_("released"), max_length=15, choices=Release, default=Release.AFTER_SESSION)

    class Meta:
        ordering = ["session_plan", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programmes:material_detail", kwargs={"pk": self.pk})


class InformationPack(models.Model):
    """The pre-group information pack. Versioned: a participant acknowledges one version."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="information_packs")
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(_("title"), max_length=150, default="Before you join")
    introduction = models.TextField(_("introduction"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["programme", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "version"], name="information_pack_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class InformationPackSection(models.Model):
    class Topic(models.TextChoices):
        WHO_FOR = "who_for", _("Who the group is for, and not for")
        WHAT_INVOLVES = "what_involves", _("What it involves")
        TIME_COMMITMENT = "time_commitment", _("The time it asks of you")
        EMOTIONAL = "emotional", _("What to expect emotionally")
        CHECKINS_BOOSTERS = "checkins_boosters", _("One-to-one check-ins and booster sessions")
        CONFIDENTIALITY = "confidentiality", _("Confidentiality and its limits")
        PRACTICALITIES = "practicalities", _("Where, when and access")
        PROTECTED_TIME = "protected_time", _("Protected time and how to ask for it")
        LEAVING = "leaving", _("Leaving the group")

    pack = models.ForeignKey(InformationPack, on_delete=models.CASCADE, related_name="sections")
    topic = models.CharField(max_length=20, choices=Topic)
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(_("heading"), max_length=150)
    body = models.TextField(_("body (Markdown)"))

    class Meta:
        ordering = ["pack", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "topic"], name="information_pack_topic_unique"),
        ]

    def __str__(self) -> str:
        return self.heading
