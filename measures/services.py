"""Writes for outcome measures: loading the register, importing licensed wording, responses and risk alerts.

Who may answer for which cohort (the participant's place in it) and when a
measure is due are decided by the layer above, which calls these services;
here a participant answers only their own response, and a submitted response
never changes.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import page_cache
from core.errors import Conflict, DomainError, NotAllowed
from measures.definitions import MeasureDef, builtin_paths, parse_definition
from measures.item_files import item_file_read
from measures.models import (
    TIME_POINT_PATTERN,
    Answer,
    Item,
    Measure,
    OptionSet,
    Response,
    ResponseOption,
    RiskAlert,
    Scale,
    ScheduledMeasure,
    Score,
)
from measures.reminder_kinds import QUESTIONNAIRE_DUE_KIND, RISK_ALERT_KIND
from measures.scoring import score_response
from measures.selectors import MEASURE_DEFINITIONS_SCOPE, measure_rules, questionnaire_reminders_due
from programmes.models import Programme
from reminders.models import Reminder
from reminders.services.scheduling import notify_now, reminder_schedule, reminders_dispatch_soon
from sessions.models import Cohort

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


# --- The register ---------------------------------------------------------------------------------


def measure_load(*, definition: MeasureDef) -> tuple[Measure, str]:
    """Load one measure version from its definition; running it again with the same file changes nothing.

    A changed file for a version that people have already answered is refused:
    give it a new version number. Wording a service imported for a licensed
    measure is kept when the scoring definition is reloaded.
    """
    with transaction.atomic():
        measure = Measure.objects.select_for_update().filter(code=definition.code, version=definition.version).first()
        if measure is not None and measure.definition_hash == definition.hash:
            return measure, UNCHANGED
        if measure is not None and measure.responses.exists():
            raise NotAllowed(
                _("%(measure)s version %(version)d has been answered, so its definition cannot change. ")
                % {"measure": measure.short_name, "version": measure.version}
                + _("Give the changed file a new version number.")
            )
        fields = {
            "name": definition.name,
            "short_name": definition.short_name,
            "instructions": definition.instructions,
            "licence": definition.licence,
            "source_citation": definition.source_citation,
            "source_urls": list(definition.source_urls),
            "reproduction_notes": definition.reproduction_notes,
            "wording_shipped": definition.wording_shipped,
            "wording_verified": definition.wording_verified,
            "item_count": len(definition.items),
            "definition_hash": definition.hash,
        }
        kept_text: dict[int, str] = {}
        kept_labels: dict[tuple[str, int], str] = {}
        if measure is None:
            measure = Measure.objects.create(code=definition.code, version=definition.version, **fields)
            state = CREATED
        else:
            if not definition.wording_shipped:
                kept_text = dict(measure.items.values_list("number", "text"))
                kept_labels = {
                    (o.option_set.code, o.value): o.label
                    for o in ResponseOption.objects.filter(option_set__measure=measure).select_related("option_set")
                }
            else:
                fields["wording_imported_at"] = None
                fields["wording_imported_by"] = None
            for name, value in fields.items():
                setattr(measure, name, value)
            measure.save(update_fields=[*fields, "loaded_at"])
            measure.items.all().delete()
            measure.scales.all().delete()
            measure.option_sets.all().delete()
            state = UPDATED
        _write_register(measure=measure, definition=definition, kept_text=kept_text, kept_labels=kept_labels)
        page_cache.bump(MEASURE_DEFINITIONS_SCOPE)
    return measure, state


def _write_register(
    *,
    measure: Measure,
    definition: MeasureDef,
    kept_text: dict[int, str],
    kept_labels: dict[tuple[str, int], str],
) -> None:
    option_sets = {code: OptionSet.objects.create(measure=measure, code=code) for code in definition.option_sets}
    ResponseOption.objects.bulk_create(
        ResponseOption(
            option_set=option_sets[code],
            value=option.value,
            label=option.label or kept_labels.get((code, option.value), ""),
        )
        for code, options in definition.option_sets.items()
        for option in options
    )
    items = {
        item.number: item
        for item in Item.objects.bulk_create(
            Item(
                measure=measure,
                number=d.number,
                text=d.text or kept_text.get(d.number, ""),
                option_set=option_sets[d.options],
                reverse_scored=d.reverse,
                risk_min_value=d.risk_min,
            )
            for d in definition.items
        )
    }
    for position, d in enumerate(definition.scales):
        scale = Scale.objects.create(
            measure=measure,
            code=d.code,
            name=d.name,
            position=position,
            method=d.method,
            max_missing=d.max_missing,
            decimals=d.decimals,
            bands=[{"min": str(b.min), "max": str(b.max), "label": b.label} for b in d.bands],
            conversion={str(k): str(v) for k, v in (d.conversion or {}).items()},
            reliable_change=d.reliable_change,
            higher_is_better=d.higher_is_better,
            notes=d.notes,
        )
        scale.items.set([items[n] for n in d.items])


def measures_load_builtin(*, paths: list[Path] | None = None) -> list[tuple[Measure, str]]:
    """Load every measure file that ships with Steady (all checked before any is written); idempotent."""
    definitions = [parse_definition(p.read_text(encoding="utf-8"), name=p.name) for p in paths or builtin_paths()]
    with transaction.atomic():
        return [measure_load(definition=d) for d in definitions]


# --- The schedule ----------------------------------------------------------------------------------


def measure_schedule_add(
    *, programme: Programme, measure: Measure, time_point: str, week: int | None = None
) -> ScheduledMeasure:
    """Ask for a measure at a time point of a programme version; adding it again changes nothing."""
    if not re.fullmatch(TIME_POINT_PATTERN, time_point):
        raise DomainError(_("That is not a time point for questionnaires."), field="time_point")
    if (time_point in ("mid", "end")) != (week is not None):
        raise DomainError(_("Mid-programme and end questionnaires need the week they are due; others do not."))
    if week is not None and not 1 <= week <= programme.weekly_session_count:
        raise DomainError(_("This programme has no week %(week)d.") % {"week": week}, field="week")
    with transaction.atomic():
        scheduled, _created = ScheduledMeasure.objects.get_or_create(
            programme=programme,
            measure=measure,
            time_point=time_point,
            defaults={"week": week, "position": programme.scheduled_measures.count()},
        )
        page_cache.bump(page_cache.programme(programme.pk))
    return scheduled


# --- Licensed wording -----------------------------------------------------------------------------


def measure_items_import(*, measure: Measure, text: str, filename: str, by: User) -> Measure:
    """Import the item wording (and option labels) of a licensed measure from the service's own file.

    The file must hold exactly the measure's items, numbered 1 to N, and, when it
    gives options, exactly the measure's answer values. Anything else is refused
    with the reason and nothing is imported.
    """
    if not by.is_service_lead:
        raise NotAllowed(_("Only a service lead can import questionnaire wording."))
    if measure.wording_shipped:
        raise NotAllowed(_("%(measure)s ships with its own wording.") % {"measure": measure.short_name})
    items, options = item_file_read(text=text, filename=filename)
    if len(items) != measure.item_count or set(items) != set(range(1, measure.item_count + 1)):
        raise DomainError(
            _("%(measure)s has %(expected)d items, numbered 1 to %(expected)d; the file has %(found)d (%(numbers)s).")
            % {
                "measure": measure.short_name,
                "expected": measure.item_count,
                "found": len(items),
                "numbers": ", ".join(str(n) for n in sorted(items)) or "none",
            }
        )
    option_sets = list(OptionSet.objects.filter(measure=measure).prefetch_related("options"))
    if options is not None:
        if len(option_sets) != 1:
            raise DomainError(_("This measure has more than one set of answers; give the labels in the measure file."))
        expected = sorted(o.value for o in option_sets[0].options.all())
        found = sorted(value for value, _label in options)
        if found != expected:
            raise DomainError(
                _("%(measure)s offers %(count)d answers (%(expected)s); the file gives %(found_count)d (%(found)s).")
                % {
                    "measure": measure.short_name,
                    "count": len(expected),
                    "expected": ", ".join(map(str, expected)),
                    "found_count": len(found),
                    "found": ", ".join(map(str, found)) or "none",
                }
            )
    with transaction.atomic():
        locked = Measure.objects.select_for_update().get(pk=measure.pk)
        if Response.objects.filter(measure=locked).exists():
            raise NotAllowed(_("People have already answered this measure, so its wording cannot change."))
        to_update = list(Item.objects.filter(measure=locked))
        for item in to_update:
            item.text = items[item.number]
        Item.objects.bulk_update(to_update, ["text"])
        if options is not None:
            labels = dict(options)
            to_label = list(ResponseOption.objects.filter(option_set=option_sets[0]))
            for option in to_label:
                option.label = labels[option.value]
            ResponseOption.objects.bulk_update(to_label, ["label"])
        locked.wording_imported_at = timezone.now()
        locked.wording_imported_by = by
        locked.save(update_fields=["wording_imported_at", "wording_imported_by"])
        page_cache.bump(MEASURE_DEFINITIONS_SCOPE)
    return locked


# --- Responses ------------------------------------------------------------------------------------


def _lock_own_draft(*, response: Response, by: User) -> Response:
    locked = Response.objects.select_for_update().select_related("measure").get(pk=response.pk)
    if locked.participant_id != by.pk:
        raise NotAllowed(_("You can only answer your own questionnaires."))
    if locked.status != Response.Status.DRAFT:
        raise NotAllowed(_("This questionnaire has been submitted and can no longer change."))
    return locked


def response_start(*, measure: Measure, participant: User, cohort: Cohort, time_point: str, by: User) -> Response:
    """Start (or pick up again) a participant's response to a measure at a time point."""
    if by.pk != participant.pk or not participant.is_participant:
        raise NotAllowed(_("You can only answer your own questionnaires."))
    if not re.fullmatch(TIME_POINT_PATTERN, time_point):
        raise DomainError(_("That is not a time point for questionnaires."))
    if not measure.has_wording:
        raise NotAllowed(_("This questionnaire's wording has not been imported yet."))
    key = {"measure": measure, "participant": participant, "cohort": cohort, "time_point": time_point}
    existing = Response.objects.filter(**key, corrects__isnull=True).first()
    if existing is not None:
        if existing.status == Response.Status.DRAFT:
            return existing
        raise NotAllowed(_("You have already submitted this questionnaire."))
    try:
        with transaction.atomic():
            started = Response.objects.create(**key, started_at=timezone.now())
    except IntegrityError:
        # Two starts at once (two tabs): the other one made it; carry on with that one.
        existing = Response.objects.filter(**key, corrects__isnull=True, status=Response.Status.DRAFT).first()
        if existing is None:
            raise Conflict(_("You have already submitted this questionnaire.")) from None
        return existing
    page_cache.bump(page_cache.person(participant.pk))  # the home lists it as started
    return started


def response_answer(*, response: Response, item: Item, value: int, by: User) -> Answer:
    """Save one answer of a draft response (saving as you go); a later answer to the same item replaces it."""
    with transaction.atomic():
        locked = _lock_own_draft(response=response, by=by)
        if item.measure_id != locked.measure_id:
            raise DomainError(_("That question is not part of this questionnaire."))
        if not ResponseOption.objects.filter(option_set_id=item.option_set_id, value=value).exists():
            raise DomainError(_("Choose one of the answers offered."), field=f"item_{item.number}")
        answer, _created = Answer.objects.update_or_create(
            response=locked, item=item, defaults={"value": value, "answered_at": timezone.now()}
        )
    return answer


def response_submit(*, response: Response, by: User) -> Response:
    """Submit a draft: score it, store its scores and at most one risk alert; afterwards it never changes."""
    with transaction.atomic():
        locked = _lock_own_draft(response=response, by=by)
        answers = dict(Answer.objects.filter(response=locked).values_list("item__number", "value"))
        if not answers:
            raise DomainError(_("Answer at least one question before you submit."))
        result = score_response(measure_rules(measure=locked.measure), answers)
        now = timezone.now()
        # The WHERE clause is the guard: a second submit (another tab, a retry) updates nothing.
        if not Response.objects.filter(pk=locked.pk, status=Response.Status.DRAFT).update(
            status=Response.Status.SUBMITTED, submitted_at=now
        ):
            raise Conflict(_("This questionnaire has already been submitted."))
        scales = {s.code: s for s in Scale.objects.filter(measure_id=locked.measure_id)}
        Score.objects.bulk_create(
            Score(
                response=locked,
                scale=scales[s.code],
                value=s.value,
                raw_value=s.raw,
                band=s.band,
                answered=s.answered,
                prorated=s.prorated,
            )
            for s in result.scores
        )
        if result.risk_items:
            item = Item.objects.get(measure_id=locked.measure_id, number=result.risk_items[0])
            alert = RiskAlert.objects.create(response=locked, item=item, created_at=now)
            _risk_alert_notify(alert=alert, cohort_id=locked.cohort_id)
        locked.status, locked.submitted_at = Response.Status.SUBMITTED, now
        page_cache.bump(page_cache.person(locked.participant_id), page_cache.cohort(locked.cohort_id))
    return locked


def _risk_alert_notify(*, alert: RiskAlert, cohort_id: int) -> None:
    """Tell each facilitator of the cohort now (one reminder each per alert; the engine never sends twice)."""

    for facilitator in Cohort.objects.get(pk=cohort_id).facilitators.all():
        notify_now(kind=RISK_ALERT_KIND, recipient=facilitator, subject=alert)


def item_risk_flag_set(*, item: Item, risk_min_value: int | None, by: User) -> Item:
    """A service lead flags an item as a risk item (an answer of at least ``risk_min_value``), or unflags it."""
    if not by.is_service_lead:
        raise NotAllowed(_("Only a service lead can flag questions."))
    with transaction.atomic():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        if (
            risk_min_value is not None
            and not ResponseOption.objects.filter(
                option_set_id=locked.option_set_id, value__gte=risk_min_value
            ).exists()
        ):
            raise DomainError(_("No answer to this question reaches that value."), field="risk_min_value")
        locked.risk_min_value = risk_min_value
        locked.save(update_fields=["risk_min_value"])
    return locked


def response_correct(*, response: Response, by: User) -> Response:
    """Start a correction: a new draft linked to the submitted response, holding a copy of its answers."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.participant_id != by.pk:
            raise NotAllowed(_("You can only correct your own questionnaires."))
        if locked.status != Response.Status.SUBMITTED:
            raise NotAllowed(_("Only a submitted questionnaire can be corrected; this one can still be changed."))
        if Response.objects.filter(corrects=locked).exists():
            raise NotAllowed(_("This questionnaire already has a correction; change that one instead."))
        correction = Response.objects.create(
            measure_id=locked.measure_id,
            participant_id=locked.participant_id,
            cohort_id=locked.cohort_id,
            time_point=locked.time_point,
            started_at=timezone.now(),
            corrects=locked,
        )
        Answer.objects.bulk_create(
            Answer(response=correction, item_id=a.item_id, value=a.value, answered_at=a.answered_at)
            for a in Answer.objects.filter(response=locked)
        )
        page_cache.bump(page_cache.person(locked.participant_id))
    return correction


def risk_alert_acknowledge(*, alert: RiskAlert, note: str, by: User) -> RiskAlert:
    """A facilitator of the cohort records the action taken; the alert then leaves the open list."""
    note = note.strip()
    if not note:
        raise DomainError(_("Write a note of the action you took."), field="note")
    with transaction.atomic():
        locked = RiskAlert.objects.select_for_update().select_related("response__cohort").get(pk=alert.pk)
        if not locked.response.cohort.facilitators.filter(pk=by.pk).exists():
            raise NotAllowed(_("Only the group's facilitators can acknowledge this alert."))
        if locked.acknowledged_at is not None:
            raise NotAllowed(_("This alert has already been acknowledged."))
        locked.acknowledged_at, locked.acknowledged_by, locked.action_note = timezone.now(), by, note
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "action_note"])
    return locked


def questionnaire_reminders_schedule(*, now: datetime | None = None) -> int:
    """Remind each participant once per cohort and time point when its questionnaires open; return how many new.

    Safe to run again and at the same time: the reminder's unique key (kind, cohort, person,
    time point) keeps it to one.
    """

    now = now or timezone.now()
    due = questionnaire_reminders_due(now=now)
    if not due:
        return 0
    people = {u.pk: u for u in User.objects.filter(pk__in={pid for _c, pid, _tp in due})}
    with transaction.atomic():
        before = Reminder.objects.filter(kind=QUESTIONNAIRE_DUE_KIND).count()
        for cohort, participant_id, time_point in due:
            reminder_schedule(
                kind=QUESTIONNAIRE_DUE_KIND,
                recipient=people[participant_id],
                subject=cohort,
                due_at=now,
                occurrence=time_point,
            )
        created = Reminder.objects.filter(kind=QUESTIONNAIRE_DUE_KIND).count() - before
        if created:
            reminders_dispatch_soon()
    return created
