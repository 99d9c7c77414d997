"""Writes for cohorts, their group sessions, attendance and calendar feeds.

Who is told about a change (the enrolled participants) is facilitation's
business: ``facilitation.services`` wraps ``group_session_move`` and
``group_session_cancel`` and writes the ``session_changed`` reminders.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, DomainError, NotAllowed
from programmes.models import Programme, SessionPlan
from reminders.models import Reminder
from reminders.services import notify_now, reminder_schedule, reminders_cancel, reminders_for
from sessions.models import (
    Attendance,
    AvailabilitySlot,
    AvailabilityWindow,
    BlockedDate,
    CalendarFeed,
    CheckIn,
    ClosureDate,
    Cohort,
    GroupSession,
    HelpRequest,
)
from sessions.scheduling import local_to_utc, utc_to_local, weekly_dates
from sessions.selectors import (
    CHECKIN_ENROLMENT_STATUSES,
    FreeSlot,
    nearest_free_slots,
    offered_slots,
)

SESSION_REMINDER_KINDS = ("session_tomorrow", "session_in_an_hour")

STATUS_TRANSITIONS: dict[str, set[str]] = {
    Cohort.Status.PLANNING: {Cohort.Status.RECRUITING, Cohort.Status.CANCELLED},
    Cohort.Status.RECRUITING: {Cohort.Status.PLANNING, Cohort.Status.RUNNING, Cohort.Status.CANCELLED},
    Cohort.Status.RUNNING: {Cohort.Status.COMPLETED, Cohort.Status.CANCELLED},
    Cohort.Status.COMPLETED: set(),
    Cohort.Status.CANCELLED: set(),
}


def closures_by_date() -> dict[date, str]:
    return dict(ClosureDate.objects.values_list("date", "description"))


def _session_times(cohort: Cohort, local_date: date, start_time: time | None = None) -> tuple[datetime, datetime]:
    starts = local_to_utc(local_date, start_time or cohort.start_time, cohort.time_zone)
    return starts, starts + timedelta(minutes=cohort.session_minutes)


@transaction.atomic
def cohort_create(
    *,
    programme: Programme,
    name: str,
    facilitators: Sequence[User],
    start_date: date,
    start_time: time,
    time_zone: str,
    holiday_region: str,
    capacity: int | None = None,
    session_minutes: int | None = None,
    venue: str = "",
    video_link: str = "",
    status: str = Cohort.Status.PLANNING,
    by: User,
    allow_past_start: bool = False,
) -> Cohort:
    """Create a cohort and its weekly sessions, one per weekly plan, moving blocked weeks on."""
    if programme.status != Programme.Status.PUBLISHED:
        raise NotAllowed(_("Only a published programme can be used for a cohort."), field="programme")
    if not 1 <= len(facilitators) <= 3:
        raise DomainError(_("Choose one, two or three facilitators."), field="facilitators")
    capacity = capacity or programme.default_capacity
    if capacity > programme.max_capacity:
        raise DomainError(
            _("This programme allows at most %(max)d places. Enter %(max)d or fewer.")
            % {"max": programme.max_capacity},
            field="capacity",
        )
    if not allow_past_start and start_date < timezone.localdate():
        raise DomainError(_("The first session date is in the past. Choose today or a later date."), field="start_date")
    if video_link and not video_link.startswith("https://"):
        raise DomainError(_("Use a secure video link that starts with https://."), field="video_link")
    plans = list(SessionPlan.objects.filter(programme=programme, kind=SessionPlan.Kind.WEEKLY).order_by("number"))
    if not plans:
        raise NotAllowed(_("This programme has no weekly session plans yet."), field="programme")
    cohort = Cohort.objects.create(
        programme=programme,
        name=name,
        start_date=start_date,
        weekday=start_date.weekday(),
        start_time=start_time,
        session_minutes=session_minutes or programme.session_minutes,
        time_zone=time_zone,
        holiday_region=holiday_region,
        venue=venue,
        video_link=video_link,
        capacity=capacity,
        status=status,
        created_by=by,
    )
    cohort.facilitators.set(facilitators)
    dates = weekly_dates(start_date, len(plans), region=holiday_region, closures=closures_by_date())
    rows = []
    for plan, (planned, actual, why) in zip(plans, dates, strict=True):
        starts, ends = _session_times(cohort, actual)
        rows.append(
            GroupSession(
                cohort=cohort,
                session_plan=plan,
                kind=GroupSession.Kind.WEEKLY,
                number=plan.number,
                planned_date=planned,
                local_date=actual,
                starts_at=starts,
                ends_at=ends,
                moved_reason=why,
            )
        )
    GroupSession.objects.bulk_create(rows)
    # Boosters are planned from the start, so they appear in calendars and protected-time requests.
    boosters_schedule(cohort=cohort)
    return cohort


@transaction.atomic
def cohort_status_set(*, cohort: Cohort, status: str, by: User) -> Cohort:
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if status not in STATUS_TRANSITIONS[cohort.status]:
        raise NotAllowed(
            _("A cohort that is %(now)s cannot become %(next)s.")
            % {"now": cohort.get_status_display(), "next": Cohort.Status(status).label}
        )
    cohort.status = status
    cohort.save(update_fields=["status", "updated_at"])
    if status == Cohort.Status.CANCELLED:
        _cancel_remaining_sessions(cohort)
    return cohort


def _cancel_remaining_sessions(cohort: Cohort) -> None:
    """A cancelled cohort's scheduled sessions show as cancelled in every calendar."""
    remaining = GroupSession.objects.filter(cohort=cohort, status=GroupSession.Status.SCHEDULED)
    ids = [str(pk) for pk in remaining.values_list("pk", flat=True)]
    remaining.update(
        status=GroupSession.Status.CANCELLED,
        cancel_reason=_("The group was cancelled."),
        sequence=models.F("sequence") + 1,
        updated_at=timezone.now(),
    )
    Reminder.objects.filter(
        subject_type=GroupSession._meta.label_lower, subject_id__in=ids, status=Reminder.Status.PENDING
    ).update(status=Reminder.Status.CANCELLED)


def _check_editable(group_session: GroupSession) -> None:
    if group_session.status != GroupSession.Status.SCHEDULED:
        raise NotAllowed(_("Only a session that is still scheduled can be moved or cancelled."))


@transaction.atomic
def group_session_move(
    *, group_session: GroupSession, local_date: date, start_time: time | None = None, reason: str, by: User
) -> GroupSession:
    """Move one session to another local date (and time); raise SEQUENCE and move its pending reminders."""
    group_session = GroupSession.objects.select_for_update().select_related("cohort").get(pk=group_session.pk)
    _check_editable(group_session)
    cohort = group_session.cohort
    clash = (
        GroupSession.objects.filter(cohort=cohort, local_date=local_date)
        .exclude(pk=group_session.pk)
        .exclude(status=GroupSession.Status.CANCELLED)
    )
    if clash.exists():
        raise DomainError(_("The group already meets on that date. Choose another date."), field="local_date")
    if local_date < timezone.localdate():
        raise DomainError(_("That date is in the past. Choose today or a later date."), field="local_date")
    starts, ends = _session_times(cohort, local_date, start_time)
    group_session.local_date = local_date
    group_session.starts_at = starts
    group_session.ends_at = ends
    group_session.moved_reason = reason if local_date != group_session.planned_date or start_time else ""
    group_session.sequence += 1
    group_session.save(update_fields=["local_date", "starts_at", "ends_at", "moved_reason", "sequence", "updated_at"])
    session_reminders_reschedule(group_session=group_session)
    return group_session


def session_reminders_reschedule(*, group_session: GroupSession) -> int:
    """Move the session's pending lead-time reminders to the new start; return how many."""
    from django.conf import settings

    moved = 0
    pending = reminders_for(group_session, kinds=SESSION_REMINDER_KINDS).filter(status="pending")
    for reminder in pending.select_related("recipient"):
        lead = settings.STEADY_REMINDER_LEAD_TIMES[reminder.kind]
        reminder_schedule(
            kind=reminder.kind,
            recipient=reminder.recipient,
            subject=group_session,
            occurrence=reminder.occurrence,
            due_at=group_session.starts_at - lead,
        )
        moved += 1
    return moved


@transaction.atomic
def group_session_cancel(*, group_session: GroupSession, reason: str, by: User) -> GroupSession:
    group_session = GroupSession.objects.select_for_update().get(pk=group_session.pk)
    _check_editable(group_session)
    if not reason.strip():
        raise DomainError(_("Say why the session is cancelled; participants will see it."), field="reason")
    group_session.status = GroupSession.Status.CANCELLED
    group_session.cancel_reason = reason.strip()
    group_session.sequence += 1
    group_session.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    reminders_cancel(subject=group_session, kinds=SESSION_REMINDER_KINDS)
    return group_session


@transaction.atomic
def group_session_hold(*, group_session: GroupSession, by: User) -> GroupSession:
    """Mark the session as held; that releases its week's after-session materials."""
    group_session = GroupSession.objects.select_for_update().get(pk=group_session.pk)
    if group_session.status == GroupSession.Status.HELD:
        return group_session
    if group_session.status == GroupSession.Status.CANCELLED:
        raise NotAllowed(_("A cancelled session cannot be marked as held."))
    if group_session.starts_at > timezone.now():
        raise NotAllowed(_("This session has not started yet. Mark it as held once it has taken place."))
    group_session.status = GroupSession.Status.HELD
    group_session.held_at = timezone.now()
    group_session.save(update_fields=["status", "held_at", "updated_at"])
    return group_session


def is_last_weekly_session(group_session: GroupSession) -> bool:
    """Whether this is the cohort's last weekly session that is not cancelled (boosters are planned from its date)."""
    if group_session.kind != GroupSession.Kind.WEEKLY:
        return False
    last = (
        GroupSession.objects.filter(cohort_id=group_session.cohort_id, kind=GroupSession.Kind.WEEKLY)
        .exclude(status=GroupSession.Status.CANCELLED)
        .order_by("-local_date")
        .values_list("pk", flat=True)
        .first()
    )
    return last == group_session.pk


@transaction.atomic
def group_notes_update(*, group_session: GroupSession, notes: str, by: User) -> GroupSession:
    if len(notes) > 2000:
        raise DomainError(_("Keep group notes under 2,000 characters: themes, not a transcript."), field="notes")
    group_session.group_notes = notes
    group_session.save(update_fields=["group_notes", "updated_at"])
    return group_session


@transaction.atomic
def attendance_record(
    *, group_session: GroupSession, participant: User, status: str, by: User, note: str | None = None
) -> Attendance:
    """Record (or change) one participant's attendance at one session."""
    if status not in Attendance.Status.values:
        raise DomainError(_("Choose present, late, left early, sent apologies or absent."), field="status")
    if group_session.status == GroupSession.Status.CANCELLED:
        raise NotAllowed(_("This session was cancelled, so there is no register to keep."))
    defaults: dict[str, object] = {"status": status, "recorded_by": by}
    if note is not None:
        defaults["note"] = note
    attendance, _created = Attendance.objects.update_or_create(
        group_session=group_session, participant=participant, defaults=defaults
    )
    return attendance


@transaction.atomic
def calendar_feed_ensure(*, user: User) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        feed = CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))
    return feed


@transaction.atomic
def calendar_feed_rotate(*, user: User) -> CalendarFeed:
    """Give the user a new secret address; the old one stops working at once.

    A first address is only created (``rotated_at`` stays empty): there was no old one.
    """
    if not CalendarFeed.objects.filter(user=user).exists():
        return calendar_feed_ensure(user=user)
    feed = calendar_feed_ensure(user=user)
    feed.token = secrets.token_urlsafe(32)
    feed.rotated_at = timezone.now()
    feed.save(update_fields=["token", "rotated_at"])
    return feed


# --- Check-ins ---
# Availability, booking, cancelling and recording one-to-one check-ins; "I'd like to talk" requests;
# booster sessions. Every write is atomic; refusals raise DomainError with a message the view shows.


# Enrolment statuses whose holders take part in boosters (see facilitation.Enrolment).
BOOSTER_ENROLMENT_STATUSES = ("enrolled", "completed")


class SlotTaken(Conflict):
    """The slot was booked by someone else first; ``nearest`` holds the nearest free ones."""

    def __init__(self, nearest: list[FreeSlot]) -> None:
        super().__init__(_("That time has just been booked; here are the nearest free times."))
        self.nearest = nearest


def _check_slot_length(minutes: int) -> None:
    if not 20 <= minutes <= 60:
        raise DomainError(_("A check-in lasts between 20 and 60 minutes; choose a length in that range."))


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
    return blocked


@transaction.atomic
def availability_remove(*, facilitator, kind: str, pk: int) -> None:
    """Remove one of the facilitator's own windows, one-off slots or blocked dates."""
    model = {"window": AvailabilityWindow, "slot": AvailabilitySlot, "blocked": BlockedDate}.get(kind)
    if model is None:
        raise DomainError(_("Unknown kind of availability."))
    deleted, _rows = model.objects.filter(facilitator=facilitator, pk=pk).delete()
    if not deleted:
        raise NotAllowed(_("That availability was already removed."))


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


def _lock_people(*people) -> None:
    """Lock the people's rows in id order, so two bookings for one person run one after the other."""
    ids = sorted({person.pk for person in people})
    list(get_user_model().objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def _when(instant: datetime, time_zone: str) -> str:
    return date_format(utc_to_local(instant, time_zone), "l j F, H:i")


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
            "when": _when(checkin.starts_at, checkin.participant.time_zone),
            "label": checkin.cohort.programme.neutral_label,
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
) -> CheckIn:
    """Book a free slot of ``facilitator`` for ``participant``; the participant or a facilitator of the cohort books.

    Refuses a time outside the facilitator's availability, in the past, or
    overlapping the participant's own check-in. A slot someone else took first
    raises ``SlotTaken`` with the nearest free times.
    """
    if kind not in CheckIn.Kind.values:
        raise DomainError(_("Choose the kind of check-in."), field="kind")
    if not cohort.facilitators.filter(pk=facilitator.pk).exists():
        raise NotAllowed(_("That facilitator does not run this group; choose one of its facilitators."))
    if not cohort.enrolments.filter(participant=participant, status__in=CHECKIN_ENROLMENT_STATUSES).exists():
        raise NotAllowed(_("Check-ins are for people with a place in this group."))
    if actor.pk != participant.pk and not cohort.facilitators.filter(pk=actor.pk).exists():
        raise NotAllowed(_("Only the participant or a facilitator of their group can book this check-in."))
    if starts_at <= timezone.now():
        raise DomainError(_("That time has passed; choose a time from now on."), field="slot")
    _lock_people(facilitator, participant)
    if help_request is None and kind == CheckIn.Kind.ON_REQUEST:
        # A talk booked while a request is open answers it (a facilitator still marks it handled).
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
        when = _when(own.starts_at, participant.time_zone)
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
            )
    except IntegrityError:
        # The database constraint settled a race the locks did not see (e.g. another code path).
        raise taken() from None
    _schedule_checkin_reminder(checkin)
    return checkin


def _can_act_on(actor, checkin: CheckIn) -> bool:
    return actor.pk == checkin.participant_id or checkin.cohort.facilitators.filter(pk=actor.pk).exists()


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
    checkin.save(update_fields=["status", "cancelled_at", "cancelled_by", "late_cancellation", "updated_at"])
    reminders_cancel(subject=checkin)
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
    )


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
    if not checkin.cohort.facilitators.filter(pk=actor.pk).exists():
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
    return checkin


@transaction.atomic
def help_request_create(*, participant, cohort: Cohort, message: str = "") -> HelpRequest:
    """Ask the cohort's facilitators for a word: an urgent reminder to each, due now.

    The reminder engine is woken when the transaction commits, so the email and
    the in-app notice reach the facilitators within a minute (the next beat at
    the latest, even if the broker is down). An open request is reused, so
    asking twice does not alert everyone twice.
    """
    if not cohort.enrolments.filter(participant=participant, status__in=BOOSTER_ENROLMENT_STATUSES).exists():
        raise NotAllowed(_("Only members of this group can ask its facilitators to talk."))
    _lock_people(participant)
    existing = HelpRequest.objects.filter(
        cohort=cohort, participant=participant, status=HelpRequest.Status.OPEN
    ).first()
    if existing is not None:
        return existing
    request = HelpRequest.objects.create(cohort=cohort, participant=participant, message=message.strip())
    for facilitator in cohort.facilitators.all():
        notify_now(
            kind="help_requested",
            recipient=facilitator,
            subject=request,
            context={"first_name": participant.first_name, "label": cohort.programme.neutral_label},
        )
    return request


@transaction.atomic
def help_request_handle(*, actor, help_request: HelpRequest) -> HelpRequest:
    """Mark the request handled (a facilitator of the cohort); it leaves the facilitators' home pages."""
    request = HelpRequest.objects.select_for_update().select_related("cohort").get(pk=help_request.pk)
    if not request.cohort.facilitators.filter(pk=actor.pk).exists():
        raise NotAllowed(_("Only a facilitator of this group can handle the request."))
    if request.status == HelpRequest.Status.HANDLED:
        return request
    request.status = HelpRequest.Status.HANDLED
    request.handled_at = timezone.now()
    request.handled_by = actor
    request.save(update_fields=["status", "handled_at", "handled_by"])
    return request


@transaction.atomic
def boosters_schedule(*, cohort: Cohort) -> list[GroupSession]:
    """Create or move the cohort's booster sessions; return them. Idempotent.

    Each booster falls ``programme.booster_offsets_weeks[n]`` weeks after the
    last weekly session's local date, at the cohort's usual local time (so it
    keeps 13:00 across daylight-saving changes), moved a week on from a bank
    holiday or closure. Call it when the cohort is created (as a plan) and when
    the last weekly session is held (its date may have moved); a booster that is
    held or cancelled, or that a facilitator moved while its planned date still
    stands, is left alone.
    """
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    offsets = sorted({int(weeks) for weeks in cohort.programme.booster_offsets_weeks or []})
    weekly = list(
        cohort.group_sessions.filter(kind=GroupSession.Kind.WEEKLY)
        .exclude(status=GroupSession.Status.CANCELLED)
        .order_by("local_date")
        .values_list("local_date", flat=True)
    )
    if not offsets or not weekly:
        return []
    plans = {plan.number: plan for plan in SessionPlan.objects.filter(programme=cohort.programme, kind="booster")}
    missing = [number for number in range(1, len(offsets) + 1) if number not in plans]
    if missing:
        raise DomainError(
            _("The programme has no plan for booster %(number)s; add a booster plan first.") % {"number": missing[0]}
        )
    existing = {session.number: session for session in cohort.group_sessions.filter(kind=GroupSession.Kind.BOOSTER)}
    closures = dict(ClosureDate.objects.values_list("date", "description"))
    taken = set(weekly)
    boosters: list[GroupSession] = []
    for number, weeks in enumerate(offsets, start=1):
        first = weekly[-1] + timedelta(weeks=weeks)
        [(planned, actual, why)] = weekly_dates(first, 1, region=cohort.holiday_region, closures=closures, taken=taken)
        taken.add(actual)
        starts = local_to_utc(actual, cohort.start_time, cohort.time_zone)
        ends = starts + timedelta(minutes=cohort.session_minutes)
        session = existing.get(number)
        if session is None:
            session = GroupSession.objects.create(
                cohort=cohort,
                session_plan=plans[number],
                kind=GroupSession.Kind.BOOSTER,
                number=number,
                planned_date=planned,
                local_date=actual,
                starts_at=starts,
                ends_at=ends,
                moved_reason=why,
            )
        elif session.status == GroupSession.Status.SCHEDULED and session.planned_date != planned:
            # Only a change of the last weekly date moves a booster: one the facilitator moved stays put.
            session.planned_date, session.local_date, session.moved_reason = planned, actual, why
            session.starts_at, session.ends_at = starts, ends
            session.sequence += 1
            reminders_cancel(subject=session, kinds=["booster_next_week"])
            session.save(
                update_fields=[
                    "planned_date",
                    "local_date",
                    "moved_reason",
                    "starts_at",
                    "ends_at",
                    "sequence",
                    "updated_at",
                ]
            )
        boosters.append(session)
    booster_reminders_schedule(cohort=cohort)
    return boosters


@transaction.atomic
def booster_reminders_schedule(*, cohort: Cohort) -> int:
    """Write ``booster_next_week`` reminders for the cohort's enrolled and completed participants; return how many.

    Pending ones for anyone else (a participant who withdrew) are cancelled, so
    call it again after a place is confirmed, completed or withdrawn.
    """
    now = timezone.now()
    lead = settings.STEADY_REMINDER_LEAD_TIMES["booster_next_week"]
    people = list(
        get_user_model().objects.filter(enrolments__cohort=cohort, enrolments__status__in=BOOSTER_ENROLMENT_STATUSES)
    )
    boosters = list(
        cohort.group_sessions.filter(
            kind=GroupSession.Kind.BOOSTER, status=GroupSession.Status.SCHEDULED, starts_at__gt=now
        ).select_related("cohort__programme")
    )
    written = 0
    for booster in boosters:
        reminders_for(booster, kinds=["booster_next_week"]).filter(status=Reminder.Status.PENDING).exclude(
            recipient__in=people
        ).update(status=Reminder.Status.CANCELLED)
        for person in people:
            reminder_schedule(
                kind="booster_next_week",
                recipient=person,
                subject=booster,
                due_at=max(booster.starts_at - lead, now),
                occurrence=booster.local_date.isoformat(),
                context={
                    "when": _when(booster.starts_at, cohort.time_zone),
                    "label": booster.cohort.programme.neutral_label,
                },
            )
            written += 1
    return written
