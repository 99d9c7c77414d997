"""Reads for check-ins: free slots from availability (four queries for any span), and the pre-group rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from sessions.models import (
    AvailabilitySlot,
    AvailabilityWindow,
    BlockedDate,
    CheckIn,
    Cohort,
    Enrolment,
    GroupSession,
)
from sessions.rules import cohort_facilitator_q
from sessions.scheduling import local_to_utc, utc_to_local


@dataclass(frozen=True)
class FreeSlot:
    facilitator_id: int
    starts_at: datetime
    ends_at: datetime
    time_zone: str

    @property
    def local_start(self) -> datetime:
        return utc_to_local(self.starts_at, self.time_zone)

    @property
    def local_end(self) -> datetime:
        return utc_to_local(self.ends_at, self.time_zone)

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def key(self) -> str:
        """The form value that names this slot."""
        return f"{self.facilitator_id}:{self.starts_at.isoformat()}"


def offered_slots(
    *,
    windows: list[AvailabilityWindow],
    one_offs: list[AvailabilitySlot],
    blocked: set[tuple[int, date]],
    first: date,
    last: date,
) -> list[FreeSlot]:
    """Return every slot the availability offers between two local dates, booked or not.

    Each slot's start is a wall-clock time in the availability's time zone,
    turned into UTC per date, so 09:00 is 09:00 on both sides of a clock change.
    """
    slots: dict[tuple[int, datetime], FreeSlot] = {}
    day = first
    while day <= last:
        for window in windows:
            if window.weekday != day.weekday() or day < window.valid_from:
                continue
            if window.valid_until and day > window.valid_until:
                continue
            if (window.facilitator_id, day) in blocked:
                continue
            step = timedelta(minutes=window.slot_minutes)
            cursor = datetime.combine(day, window.start_time)
            end = datetime.combine(day, window.end_time)
            while cursor + step <= end:
                starts = local_to_utc(day, cursor.time(), window.time_zone)
                slots[(window.facilitator_id, starts)] = FreeSlot(
                    window.facilitator_id, starts, starts + step, window.time_zone
                )
                cursor += step
        day += timedelta(days=1)
    for one_off in one_offs:
        if not first <= one_off.local_date <= last or (one_off.facilitator_id, one_off.local_date) in blocked:
            continue
        starts = local_to_utc(one_off.local_date, one_off.start_time, one_off.time_zone)
        slots.setdefault(
            (one_off.facilitator_id, starts),
            FreeSlot(one_off.facilitator_id, starts, starts + timedelta(minutes=one_off.minutes), one_off.time_zone),
        )
    return sorted(slots.values(), key=lambda slot: (slot.starts_at, slot.facilitator_id))


def free_slots(
    *,
    facilitator_ids: list[int],
    first: date,
    last: date,
    now: datetime | None = None,
    exclude_participant_id: int | None = None,
) -> list[FreeSlot]:
    """Return the free check-in slots of the facilitators between two local dates (five queries).

    A slot is free when it is offered, starts after ``now`` and overlaps no
    active check-in of its facilitator (nor, given ``exclude_participant_id``,
    of that participant) and none of the facilitator's group sessions.
    """
    now = now or timezone.now()
    windows = list(
        AvailabilityWindow.objects.filter(facilitator_id__in=facilitator_ids, valid_from__lte=last).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=first)
        )
    )
    one_offs = list(
        AvailabilitySlot.objects.filter(facilitator_id__in=facilitator_ids, local_date__range=(first, last))
    )
    blocked = set(
        BlockedDate.objects.filter(facilitator_id__in=facilitator_ids, date__range=(first, last)).values_list(
            "facilitator_id", "date"
        )
    )
    offered = offered_slots(windows=windows, one_offs=one_offs, blocked=blocked, first=first, last=last)
    if not offered:
        return []
    # Two days' margin either side covers any time zone's offset from UTC.
    span_start, span_end = offered[0].starts_at - timedelta(days=2), offered[-1].ends_at + timedelta(days=2)
    people = Q(facilitator_id__in=facilitator_ids)
    if exclude_participant_id is not None:
        people |= Q(participant_id=exclude_participant_id)
    busy = list(
        CheckIn.objects.filter(people, status__in=CheckIn.ACTIVE, starts_at__lt=span_end, ends_at__gt=span_start)
        .values_list("facilitator_id", "participant_id", "starts_at", "ends_at")
        .order_by("starts_at")
    )

    # A facilitator running one of their group sessions is not free for a check-in either.
    busy += [
        (facilitator, None, starts, ends)
        for facilitator, starts, ends in GroupSession.objects.filter(
            cohort__facilitators__in=facilitator_ids,
            status=GroupSession.Status.SCHEDULED,
            starts_at__lt=span_end,
            ends_at__gt=span_start,
        ).values_list("cohort__facilitators", "starts_at", "ends_at")
    ]

    def taken(slot: FreeSlot) -> bool:
        return any(
            (facilitator == slot.facilitator_id or (participant is not None and participant == exclude_participant_id))
            and starts < slot.ends_at
            and ends > slot.starts_at
            for facilitator, participant, starts, ends in busy
        )

    return [slot for slot in offered if slot.starts_at > now and not taken(slot)]


def nearest_free_slots(
    *, facilitator_id: int, around: datetime, time_zone: str, participant_id: int | None = None, count: int = 3
) -> list[FreeSlot]:
    """Return the ``count`` free slots of a facilitator nearest to ``around`` (within two weeks either side)."""
    local = utc_to_local(around, time_zone).date()
    slots = free_slots(
        facilitator_ids=[facilitator_id],
        first=local - timedelta(days=14),
        last=local + timedelta(days=14),
        exclude_participant_id=participant_id,
    )
    return sorted(slots, key=lambda slot: abs(slot.starts_at - around))[:count]


def checkin_cohorts_for_participant(*, user) -> QuerySet[Cohort]:
    """The cohorts in which ``user`` may book check-ins (any place short of withdrawn).

    Wider than ``is_cohort_participant`` (a place on the way in may book a pre-group check-in): its own rule.
    """
    return Cohort.objects.filter(
        enrolments__participant=user, enrolments__status__in=Enrolment.CHECKIN_STATUSES
    ).distinct()


def checkins_for_participant(*, user) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(participant=user).select_related("facilitator", "cohort").order_by("-starts_at")


def cohorts_with_facilitator_ids(*, cohorts: QuerySet[Cohort]) -> list[Cohort]:
    """The cohorts as a list, each with ``facilitator_ids`` (one query for the facilitators)."""
    cohorts = list(cohorts.prefetch_related("facilitators"))
    for cohort in cohorts:
        cohort.facilitator_ids = [person.pk for person in cohort.facilitators.all()]
    return cohorts


def checkin_cohorts_with_facilitators(*, user) -> list[Cohort]:
    """The participant's cohorts for booking, each with ``facilitator_ids`` (two queries)."""
    return cohorts_with_facilitator_ids(cohorts=checkin_cohorts_for_participant(user=user))


# How many names the "book on someone's behalf" list shows at once; a search narrows it.
PARTICIPANT_LIST_LIMIT = 50


def participants_for_facilitator(*, user, query: str = "", now: datetime | None = None) -> list:
    """Current members of the cohorts ``user`` facilitates, for "book on their behalf" (one query).

    Former members are left out: a withdrawn place, or a completed one whose cohort has no follow-up
    (booster) session ahead. ``query`` keeps the people whose first or last name contains each word.
    """
    now = now or timezone.now()
    boosters_ahead = GroupSession.objects.filter(
        kind=GroupSession.Kind.BOOSTER, status=GroupSession.Status.SCHEDULED, ends_at__gt=now
    ).values("cohort_id")
    current = Enrolment.objects.filter(cohort__facilitators=user).filter(
        Q(status__in=Enrolment.ACTIVE_STATUSES) | Q(status=Enrolment.Status.COMPLETED, cohort_id__in=boosters_ahead)
    )
    people = get_user_model().objects.filter(pk__in=current.values("participant_id"))
    for word in query.split()[:5]:
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return list(people.order_by("first_name", "last_name")[:PARTICIPANT_LIST_LIMIT])


def checkins_for_facilitator(*, user, now: datetime | None = None) -> dict:
    """The facilitator's check-ins: every upcoming one (bounded) and the past ones, newest first (two querysets)."""
    now = now or timezone.now()
    mine = CheckIn.objects.filter(facilitator=user).select_related("participant", "cohort")
    return {
        "upcoming": mine.filter(ends_at__gt=now).order_by("starts_at"),
        "past": mine.filter(ends_at__lte=now).order_by("-starts_at"),
    }


def pre_group_checkin_done(*, enrolment: Enrolment) -> bool:
    """Whether the enrolment's participant has had a pre-group check-in (held) for its cohort."""
    return CheckIn.objects.filter(
        cohort_id=enrolment.cohort_id,
        participant_id=enrolment.participant_id,
        kind=CheckIn.Kind.PRE_GROUP,
        status=CheckIn.Status.HELD,
    ).exists()


def pre_group_checkin_outstanding(*, enrolment: Enrolment) -> bool:
    """Whether the programme asks for a pre-group check-in before the place is confirmed, and none was held."""
    return enrolment.cohort.programme.pre_group_checkin_required and not pre_group_checkin_done(enrolment=enrolment)


def mark_pre_group_checkin_needed(*, enrolments: list[Enrolment]) -> list[Enrolment]:
    """Set ``needs_pre_group_checkin`` on each enrolment not yet confirmed (one query whatever their number).

    True when its programme asks for a pre-group check-in before the place is
    confirmed and none has been held, so pages can say so before anyone tries.
    """
    waiting = [
        e
        for e in enrolments
        if e.status in Enrolment.PENDING_STATUSES and e.cohort.programme.pre_group_checkin_required
    ]
    waiting_ids = {e.pk for e in waiting}
    held = set()
    if waiting:
        held = set(
            CheckIn.objects.filter(
                cohort_id__in={e.cohort_id for e in waiting},
                participant_id__in={e.participant_id for e in waiting},
                kind=CheckIn.Kind.PRE_GROUP,
                status=CheckIn.Status.HELD,
            ).values_list("cohort_id", "participant_id")
        )
    for enrolment in enrolments:
        enrolment.needs_pre_group_checkin = enrolment.pk in waiting_ids and (
            (enrolment.cohort_id, enrolment.participant_id) not in held
        )
    return enrolments


def availability_for_facilitator(*, user: User, first: date) -> dict[str, QuerySet]:
    """The facilitator's weekly windows, and their one-off slots and blocked dates from ``first`` on."""
    return {
        "windows": AvailabilityWindow.objects.filter(facilitator=user),
        "one_offs": AvailabilitySlot.objects.filter(facilitator=user, local_date__gte=first),
        "blocked": BlockedDate.objects.filter(facilitator=user, date__gte=first),
    }


def checkin_is_facilitated_by(*, user: User, pk: int) -> bool:
    """Whether ``user`` facilitates the cohort of check-in ``pk`` (so sees its private notes).

    The scoped mirror of ``is_facilitator & is_cohort_facilitator`` (one query, no check-in fetched): it only
    chooses which page to show; ``access.checkin_get_for_facilitator`` then decides through the predicate.
    """
    return user.is_facilitator and CheckIn.objects.filter(cohort_facilitator_q(user, "cohort__"), pk=pk).exists()
