from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a background process checked in, one row per process kind."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("heartbeat")

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M}"


class AccessLog(models.Model):
    """A read of special-category data, or a change to who may read it: who, what, and when.

    Written by the access selectors of clinical records (check-in notes,
    questionnaire answers, attendance reasons), and by changes to a person's
    roles or cohorts (``core.services.access_change_record``, with ``detail``).
    Changes to clinical records, places and protected-time decisions join it through
    ``core.services.audit_change_record``. Append-only (on PostgreSQL a trigger refuses
    UPDATE and DELETE); it names people by id and holds no clinical text, so erasing a
    person (anonymising their user row) leaves it whole. Never shown to managers; kept for
    the audit trail that UK GDPR and PHIPA expect.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=30, default="view")
    record_type = models.CharField(max_length=60)
    record_id = models.CharField(max_length=40)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # PROTECT, not SET_NULL: a person is erased by anonymising their row (the log keeps
        # pointing at it), and on PostgreSQL the trigger refuses the UPDATE a SET_NULL would need.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The person the record is about."),
    )
    detail = models.CharField(_("what changed"), max_length=200, blank=True)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["record_type", "record_id"])]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.actor_id} {self.action} {self.record_type}#{self.record_id}"


class EscalationStep(models.Model):
    """One step of an escalation ladder that has fired: once per ladder, subject, step and cycle.

    The unique constraint is what makes a step fire once, whatever the number
    of beats or workers (see ``core.escalation``).
    """

    ladder = models.CharField(max_length=40)
    subject_id = models.PositiveBigIntegerField()
    step = models.CharField(max_length=40)
    cycle = models.PositiveSmallIntegerField(default=0)
    fired_at = models.DateTimeField()

    class Meta:
        ordering = ["fired_at"]
        constraints = [
            models.UniqueConstraint(fields=["ladder", "subject_id", "step", "cycle"], name="escalation_step_once"),
        ]
        indexes = [models.Index(fields=["ladder", "step", "fired_at"])]
        verbose_name = _("escalation step")

    def __str__(self) -> str:
        return f"{self.ladder}:{self.subject_id} {self.step} (cycle {self.cycle})"


class CrisisContact(models.Model):
    """Where to turn right now, for one region: shown wherever distress may be written.

    ``region`` is a ``holidays`` code as cohorts use ("GB-ENG", "CA-ON"); a
    country alone ("GB") serves every region of that country that has no list
    of its own. The service lead edits the list (``core.crisis_contacts``).
    """

    region = models.CharField(_("region"), max_length=10)
    name = models.CharField(_("name"), max_length=120)
    number = models.CharField(
        _("number"),
        max_length=60,
        help_text=_("A phone number or short code to dial (116 123, +1 416 555 0100), or 'Text SHOUT to 85258'."),
    )
    hours = models.CharField(_("hours"), max_length=120, blank=True, help_text=_("For example: 24 hours, every day"))
    note = models.CharField(_("note"), max_length=240, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["region", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="crisis_contact_name_once_per_region")]
        verbose_name = _("crisis contact")

    def __str__(self) -> str:
        return f"{self.name} {self.number} ({self.region})"
