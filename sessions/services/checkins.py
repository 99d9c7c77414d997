"""Writes for one-to-one check-ins: facilitators' availability, booking, cancelling and recording."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import page_cache
from core.errors import Conflict, DomainError, NotAllowed
from core.links import absolute_url
from core.services import audit_change_record
from reminders.services.scheduling import reminder_schedule, reminders_cancel
from sessions.models import (
    AvailabilitySlot,
    AvailabilityWindow,
    BlockedDate,
    CheckIn,
    Cohort,
    Enrolment,
    HelpRequest,
)
from sessions.models.checkins import CHECKIN_MAX_MINUTES, CHECKIN_MIN_MINUTES
from sessions.rules import is_cohort_facilitator
from sessions.scheduling import (
    local_to_utc,
    local_when,
    utc_to_local,
)
from sessions.selectors.checkins import FreeSlot, nearest_free_slots, offered_slots


class SlotTaken(Conflict):
    """The slot was booked by someone else first; ``nearest`` holds the nearest free ones."""

    def __init__(self, nearest: list[FreeSlot]) -> None:
        super().__init__(_("That time has just been booked; here are the nearest free times."))
        self.nearest = nearest


def _check_slot_length(minutes: int) -> None:
    if not CHECKIN_MIN_MINUTES <= minutes <= CHECKIN_MAX_MINUTES:
        raise DomainError(
            _("A check-in lasts between %(min)d and %(max)d minutes; choose a length in that range.")
            % {"min": CHECKIN_MIN_MINUTES, "max": CHECKIN_MAX_MINUTES}
        )


@transaction.atomic
def availability_window_add(
    *,
    facilitator,
    weekday: int,
    start_time: time,
    end_time: time,
    slot_minutes: int,
    valid_from: date,
    valid_until: date | None = None,
) -> AvailabilityWindow:
    """Publish a weekly window of check-in slots, in the facilitator's time zone."""
    _check_slot_length(slot_minutes)
    if end_time <= start_time:
        raise DomainError(_("The window must end after it starts."), field="end_time")
    if (datetime.combine(valid_from, end_time) - datetime.combine(valid_from, start_time)) < timedelta(
        minutes=slot_minutes
    ):
        raise DomainError(_("The window is shorter than one check-in; make it longer."), field="end_time")
    if valid_until and valid_until < valid_from:
        raise DomainError(_("The last date must be on or after the first date."), field="valid_until")
    return AvailabilityWindow.objects.create(
        facilitator=facilitator,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        slot_minutes=slot_minutes,
        time_zone=facilitator.time_zone,
        valid_from=valid_from,
        valid_until=valid_until,
    )


@transaction.atomic
def availability_slot_add(*, facilitator, local_date: date, start_time: time, minutes: int) -> AvailabilitySlot:
    """Publish a one-off check-in slot, in the facilitator's time zone."""
    _check_slot_length(minutes)
    if local_to_utc(local_date, start_time, facilitator.time_zone) <= timezone.now():
        raise DomainError(_("That time has passed; choose a time from now on."), field="local_date")
    slot, created = AvailabilitySlot.objects.get_or_create(
        facilitator=facilitator,
        local_date=local_date,
        start_time=start_time,
        defaults={"minutes": minutes, "time_zone": facilitator.time_zone},
    )
    if not created:
        raise DomainError(_("You already offer a slot at that time."), field="start_time")
    return slot


@transaction.atomic
def blocked_date_add(*, facilitator, day: date, reason: str = "") -> BlockedDate:
    """Block a date: no new check-ins are offered on it (existing bookings stay, to be moved one by one)."""
    blocked, _created = BlockedDate.objects.get_or_create(
        facilitator=facilitator, date=day, defaults={"reason": reason}
    )
    _cover_changed(facilitator=facilitator)
    return blocked


def _cover_changed(*, facilitator) -> None:
    """A facilitator's blocked dates changed: every cohort of theirs may need cover (their co-facilitators'
    homes show it)."""
    cohorts = Cohort.objects.filter(facilitators=facilitator).values_list("pk", flat=True)
    page_cache.bump(*(page_cache.cohort(pk) for pk in cohorts))


@transaction.atomic
def availability_remove(*, facilitator, kind: str, pk: int) -> None:
    """Remove one of the facilitator's own windows, one-off slots or blocked dates."""
    model = {"window": AvailabilityWindow, "slot": AvailabilitySlot, "blocked": BlockedDate}.get(kind)
    if model is None:
        raise DomainError(_("Unknown kind of availability."))
    deleted, _rows = model.objects.filter(facilitator=facilitator, pk=pk).delete()
    if not deleted:
        raise NotAllowed(_("That availability was already removed."))
    if model is BlockedDate:
        _cover_changed(facilitator=facilitator)


def _offered_slot(*, facilitator, starts_at: datetime) -> FreeSlot | None:
    """Return the slot of the facilitator's availability that starts at ``starts_at``, or None."""
    local = utc_to_local(starts_at, facilitator.time_zone).date()
    first, last = local - timedelta(days=1), local + timedelta(days=1)
    windows = list(AvailabilityWindow.objects.filter(facilitator=facilitator, weekday__in=_weekdays(first, last)))
    one_offs = list(AvailabilitySlot.objects.filter(facilitator=facilitator, local_date__range=(first, last)))
    blocked = set(
        BlockedDate.objects.filter(facilitator=facilitator, date__range=(first, last)).values_list(
            "facilitator_id", "date"
        )
    )
    for slot in offered_slots(windows=windows, one_offs=one_offs, blocked=blocked, first=first, last=last):
        if slot.starts_at == starts_at:
            return slot
    return None


def _weekdays(first: date, last: date) -> list[int]:
    return sorted({(first + timedelta(days=n)).weekday() for n in range((last - first).days + 1)})


def people_lock(*people) -> None:
    """Lock the people's rows in id order, so two bookings for one person run one after the other."""
    ids = sorted({person.pk for person in people})
    list(get_user_model().objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def checkin_place_clean(*, place: str, place_detail: str) -> tuple[str, str]:
    """Check where and how a check-in happens: a room needs its name, a video call an https link."""
    place_detail = (place_detail or "").strip()
    if place not in CheckIn.Place.values:
        raise DomainError(_("Choose a room, a phone call or a video call."), field="place")
    if place == CheckIn.Place.ROOM and not place_detail:
        raise DomainError(_("Say which room, so you both go to the same place."), field="place_detail")
    if place == CheckIn.Place.VIDEO:
        try:
            URLValidator(schemes=["https"])(place_detail)
        except ValidationError:
            raise DomainError(
                _("Use a secure video link that starts with https://, such as https://video.nhs.uk/your-room."),
                field="place_detail",
            ) from None
    if len(place_detail) > 300:
        raise DomainError(_("Keep the place under 300 characters."), field="place_detail")
    return place, place_detail


def _schedule_checkin_reminder(checkin: CheckIn) -> None:
    due = checkin.starts_at - settings.STEADY_REMINDER_LEAD_TIMES["checkin_tomorrow"]
    if due <= timezone.now():
        return
    reminder_schedule(
        kind="checkin_tomorrow",
        recipient=checkin.participant,
        subject=checkin,
        due_at=due,
        occurrence=checkin.starts_at.isoformat(),
        context={
            "when": local_when(checkin.starts_at, checkin.participant.time_zone),
            "label": checkin.cohort.programme.neutral_label,
            "where": checkin.where,
            "video_link": checkin.place_detail if checkin.place == CheckIn.Place.VIDEO else "",
            "ics_url": absolute_url("sessions:checkin_ics", pk=checkin.pk),
        },
    )


@transaction.atomic
def checkin_book(
    *,
    actor,
    participant,
    facilitator,
    cohort: Cohort,
    kind: str,
    starts_at: datetime,
    help_request: HelpRequest | None = None,
    place: str = CheckIn.Place.PHONE,
    place_detail: str = "",
) -> CheckIn:
    """Book a free slot of ``facilitator`` for ``participant``; the participant or a facilitator of the cohort books.

    ``place`` says where and how (a room, a phone call, a video call with an https link).

    Refuses a time outside the facilitator's availability, in the past, or
    overlapping the participant's own check-in. A slot someone else took first
    raises ``SlotTaken`` with the nearest free times.
    """
    if kind not in CheckIn.Kind.values:
        raise DomainError(_("Choose the kind of check-in."), field="kind")
    if not is_cohort_facilitator(facilitator, cohort):
        raise NotAllowed(_("That facilitator does not run this group; choose one of its facilitators."))
    answering = HelpRequest.objects.filter(
        cohort=cohort, participant=participant, status=HelpRequest.Status.OPEN
    ).exists()  # a person who left may still be met in answer to their request to talk
    if (
        not Enrolment.objects.filter(
            cohort=cohort, participant=participant, status__in=Enrolment.CHECKIN_STATUSES
        ).exists()
        and not answering
    ):
        raise NotAllowed(_("Check-ins are for people with a place in this group."))
    if actor.pk != participant.pk and not is_cohort_facilitator(actor, cohort):
        raise NotAllowed(_("Only the participant or a facilitator of their group can book this check-in."))
    if starts_at <= timezone.now():
        raise DomainError(_("That time has passed; choose a time from now on."), field="slot")
    place, place_detail = checkin_place_clean(place=place, place_detail=place_detail)
    people_lock(facilitator, participant)
    if help_request is None and kind == CheckIn.Kind.ON_REQUEST:
        # A talk booked while a request is open answers it: booked by a facilitator, the request is handled.
        help_request = HelpRequest.objects.filter(
            cohort=cohort, participant=participant, status=HelpRequest.Status.OPEN
        ).first()
    slot = _offered_slot(facilitator=facilitator, starts_at=starts_at)
    if slot is None:
        raise DomainError(
            _("That time is outside the facilitator's availability; choose one of the free times shown."),
            field="slot",
        )
    own = (
        CheckIn.objects.filter(
            participant=participant, status__in=CheckIn.ACTIVE, starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at
        )
        .order_by("starts_at")
        .first()
    )
    if own is not None:
        when = local_when(own.starts_at, participant.time_zone)
        if actor.pk == participant.pk:
            message = _("You already have a check-in at %(when)s that overlaps this time; choose another time.")
        else:
            message = _("This participant already has a check-in at %(when)s that overlaps this time.")
        raise DomainError(message % {"when": when}, field="slot")

    def taken() -> SlotTaken:
        return SlotTaken(
            nearest_free_slots(
                facilitator_id=facilitator.pk, around=starts_at, time_zone=slot.time_zone, participant_id=participant.pk
            )
        )

    if CheckIn.objects.filter(
        facilitator=facilitator, status__in=CheckIn.ACTIVE, starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at
    ).exists():
        raise taken()
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                cohort=cohort,
                facilitator=facilitator,
                participant=participant,
                kind=kind,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                time_zone=slot.time_zone,
                help_request=help_request,
                booked_by=actor,
                place=place,
                place_detail=place_detail,
            )
    except IntegrityError:
        # The database constraint settled a race the locks did not see (e.g. another code path).
        raise taken() from None
    _schedule_checkin_reminder(checkin)
    if help_request is not None and is_cohort_facilitator(actor, cohort):
        # Booked by a facilitator from the request: that answers it (help_requests imports this module).
        from sessions.services.help_requests import help_request_close_by_booking  # noqa: PLC0415

        help_request_close_by_booking(actor=actor, help_request=help_request, checkin=checkin)
    page_cache.bump(page_cache.person(checkin.participant_id), page_cache.cohort(checkin.cohort_id))
    audit_change_record(actor=actor, record=checkin, action="booked", subject=checkin.participant_id)
    return checkin


def _can_act_on(actor, checkin: CheckIn) -> bool:
    return actor.pk == checkin.participant_id or is_cohort_facilitator(actor, checkin.cohort)


@transaction.atomic
def checkin_cancel(*, actor, checkin: CheckIn) -> CheckIn:
    """Cancel a booked check-in; inside the notice period it is recorded as a late cancellation, not refused."""
    checkin = CheckIn.objects.select_for_update().select_related("cohort").get(pk=checkin.pk)
    if not _can_act_on(actor, checkin):
        raise NotAllowed(_("Only the participant or a facilitator of their group can cancel this check-in."))
    if checkin.status != CheckIn.Status.BOOKED:
        raise NotAllowed(
            _("Only a booked check-in can be cancelled; this one is %(status)s.")
            % {"status": checkin.get_status_display().lower()}
        )
    now = timezone.now()
    if checkin.starts_at <= now:
        raise NotAllowed(_("This check-in has already started; a facilitator can mark it as held or missed."))
    checkin.status = CheckIn.Status.CANCELLED
    checkin.cancelled_at = now
    checkin.cancelled_by = actor
    checkin.late_cancellation = checkin.starts_at - now < timedelta(hours=settings.STEADY_CHECKIN_NOTICE_HOURS)
    checkin.sequence += 1
    checkin.save(
        update_fields=["status", "cancelled_at", "cancelled_by", "late_cancellation", "sequence", "updated_at"]
    )
    reminders_cancel(subject=checkin)
    page_cache.bump(page_cache.person(checkin.participant_id), page_cache.cohort(checkin.cohort_id))
    audit_change_record(actor=actor, record=checkin, action="cancelled", subject=checkin.participant_id)
    return checkin


@transaction.atomic
def checkin_rebook(*, actor, checkin: CheckIn, facilitator, starts_at: datetime) -> CheckIn:
    """Cancel ``checkin`` and book the new time in one step: if the new time is refused, the old one stays."""
    old = checkin_cancel(actor=actor, checkin=checkin)
    return checkin_book(
        actor=actor,
        participant=old.participant,
        facilitator=facilitator,
        cohort=old.cohort,
        kind=old.kind,
        starts_at=starts_at,
        help_request=old.help_request,
        place=old.place,
        place_detail=old.place_detail,
    )


@transaction.atomic
def checkin_place_set(*, actor, checkin: CheckIn, place: str, place_detail: str) -> CheckIn:
    """Change where and how a booked check-in happens; calendars and the reminder follow."""
    checkin = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("cohort__programme", "participant")
        .get(pk=checkin.pk)
    )
    if not _can_act_on(actor, checkin):
        raise NotAllowed(_("Only the participant or a facilitator of their group can change this check-in."))
    if checkin.status != CheckIn.Status.BOOKED:
        raise NotAllowed(_("Only a booked check-in can be changed."))
    place, place_detail = checkin_place_clean(place=place, place_detail=place_detail)
    if (place, place_detail) == (checkin.place, checkin.place_detail):
        return checkin
    checkin.place, checkin.place_detail = place, place_detail
    checkin.sequence += 1
    page_cache.bump(page_cache.person(checkin.participant_id), page_cache.cohort(checkin.cohort_id))
    checkin.save(update_fields=["place", "place_detail", "sequence", "updated_at"])
    _schedule_checkin_reminder(checkin)
    return checkin


@transaction.atomic
def checkin_record(
    *,
    actor,
    checkin: CheckIn,
    status: str,
    notes: str,
    follow_up_actions: str,
    shared_summary: str,
) -> CheckIn:
    """Record how a check-in went (a facilitator of the cohort only): status, private notes, shared summary."""
    checkin = CheckIn.objects.select_for_update().select_related("cohort").get(pk=checkin.pk)
    if not is_cohort_facilitator(actor, checkin.cohort):
        raise NotAllowed(_("Only a facilitator of this group can record the check-in."))
    if checkin.status == CheckIn.Status.CANCELLED:
        raise NotAllowed(_("This check-in was cancelled; book a new one instead."))
    if status not in (CheckIn.Status.BOOKED, CheckIn.Status.HELD, CheckIn.Status.MISSED):
        raise DomainError(_("Choose booked, held or missed."), field="status")
    if status != CheckIn.Status.BOOKED and checkin.starts_at > timezone.now():
        raise DomainError(_("A check-in can be marked held or missed once its time has come."), field="status")
    fields = ["status", "notes", "follow_up_actions", "recorded_by", "updated_at"]
    if shared_summary.strip() != checkin.shared_summary:
        checkin.shared_summary = shared_summary.strip()
        checkin.summary_shared_at = timezone.now() if checkin.shared_summary else None
        fields += ["shared_summary", "summary_shared_at"]
    checkin.status = status
    checkin.notes = notes
    checkin.follow_up_actions = follow_up_actions
    checkin.recorded_by = actor
    checkin.save(update_fields=fields)
    if status != CheckIn.Status.BOOKED:
        reminders_cancel(subject=checkin)
    # Which fields, never their text: the log outlives an erasure.
    page_cache.bump(page_cache.person(checkin.participant_id), page_cache.cohort(checkin.cohort_id))
    audit_change_record(
        actor=actor, record=checkin, action="recorded", subject=checkin.participant_id, detail=", ".join(fields[:-1])
    )
    return checkin
