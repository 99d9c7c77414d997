"""Demo data for check-ins and boosters; the lead calls ``seed_checkins(ctx)`` after the cohort demo.

Idempotent: everything is looked up before it is made. Makes the facilitator's
availability for the next two weeks, a completed cohort with its boosters
scheduled, a few booked check-ins and one open "I'd like to talk" request.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.services import user_ensure
from core.crisis_contacts import crisis_contacts_load_defaults
from core.demo import DemoContext
from core.services import escalation_ladder_walk
from programmes.models import Programme, SessionPlan
from sessions.models import AvailabilityWindow, CheckIn, Cohort, Enrolment, GroupSession, HelpRequest
from sessions.selectors.checkins import free_slots
from sessions.services.boosters import boosters_schedule
from sessions.services.checkins import checkin_book
from sessions.services.cohorts import group_sessions_create_weekly
from sessions.services.help_requests import HELP_LADDER, help_request_create, help_request_respond_by

COMPLETED_COHORT_NAME = "Spring group (completed)"
# Members of the completed group: accounts without listed logins, so demo participants are in one group each.
ALUMNI = [("Maya", "Fischer"), ("Noah", "Grant"), ("Olu", "Bankole"), ("Rosa", "Ibarra")]
# (weekday, from, until): Tuesday mornings and Thursday afternoons, 30-minute check-ins.
WINDOWS = [(1, time(10, 0), time(12, 0)), (3, time(14, 0), time(16, 0))]


def _programme(ctx: DemoContext) -> Programme | None:
    programme = ctx.objects.get("programme")
    if programme is not None and programme.session_plans.filter(kind=SessionPlan.Kind.BOOSTER).exists():
        return programme
    return (
        Programme.objects.filter(status=Programme.Status.PUBLISHED, session_plans__kind=SessionPlan.Kind.BOOSTER)
        .exclude(booster_offsets_weeks=[])
        .order_by("-created_at")
        .first()
    )


def _availability(facilitator, today) -> None:
    for weekday, start, end in WINDOWS:
        AvailabilityWindow.objects.get_or_create(
            facilitator=facilitator,
            weekday=weekday,
            start_time=start,
            defaults={
                "end_time": end,
                "slot_minutes": 30,
                "time_zone": facilitator.time_zone,
                "valid_from": today,
                "valid_until": today + timedelta(days=13),
            },
        )


def _completed_cohort(programme: Programme, facilitator, participants, today) -> Cohort:
    cohort = Cohort.objects.filter(name=COMPLETED_COHORT_NAME, facilitators=facilitator).first()
    if cohort is not None:
        return cohort
    weeks = programme.weekly_session_count
    # The last weekly session was last week, so both boosters are still ahead.
    start = today - timedelta(weeks=weeks)
    cohort = Cohort.objects.create(
        programme=programme,
        name=COMPLETED_COHORT_NAME,
        start_date=start,
        weekday=start.weekday(),
        start_time=time(13, 0),
        session_minutes=programme.session_minutes,
        time_zone="Europe/London",
        venue="Wellbeing room, Education Centre",
        capacity=programme.default_capacity,
        status=Cohort.Status.COMPLETED,
        created_by=facilitator,
    )
    cohort.facilitators.set([facilitator])
    group_sessions_create_weekly(cohort=cohort, closures={})
    now = timezone.now()
    GroupSession.objects.filter(cohort=cohort, ends_at__lte=now).update(
        status=GroupSession.Status.HELD, held_at=F("ends_at")
    )
    for place, person in enumerate(participants[:4], start=1):
        Enrolment.objects.create(
            cohort=cohort,
            participant=person,
            status=Enrolment.Status.COMPLETED,
            place_number=place,
            confirmed_at=timezone.now(),
        )
    return cohort


@transaction.atomic
def seed_checkins(ctx: DemoContext) -> None:
    facilitator = ctx.objects.get("facilitator")
    participants = list(ctx.objects.get("participants") or [])
    programme = _programme(ctx)
    if facilitator is None or len(participants) < 4 or programme is None:
        ctx.notes.append(
            "Check-ins demo skipped: needs the demo facilitator, participants and a programme with boosters."
        )
        return
    today = timezone.localdate()
    _availability(facilitator, today)
    alumni = [
        user_ensure(email=f"former-member{index}@steady.example", first_name=first, last_name=last, is_participant=True)
        for index, (first, last) in enumerate(ALUMNI, start=1)
    ]
    completed = _completed_cohort(programme, facilitator, alumni, today)
    boosters = boosters_schedule(cohort=completed)
    ctx.objects["completed_cohort"] = completed
    # The check-ins and the request to talk belong to the group that is running now (about week 6).
    running = ctx.objects.get("running_cohort")
    cohort, members = (running, participants[:4]) if running is not None else (completed, alumni)

    booked = CheckIn.objects.filter(facilitator=facilitator, status=CheckIn.Status.BOOKED, starts_at__gt=timezone.now())
    if not booked.exists():
        slots = free_slots(
            facilitator_ids=[facilitator.pk], first=today + timedelta(days=1), last=today + timedelta(days=13)
        )
        # One of each place: a room, a phone call, a video call.
        places = [
            (CheckIn.Place.ROOM, "Quiet room, Education Centre"),
            (CheckIn.Place.PHONE, ""),
            (CheckIn.Place.VIDEO, "https://video.steady.example/one-to-one"),
        ]
        for person, slot, (place, detail) in zip(members[:3], slots[::3], places, strict=False):
            checkin_book(
                actor=person,
                participant=person,
                facilitator=facilitator,
                cohort=cohort,
                kind=CheckIn.Kind.MID_PROGRAMME if cohort is not completed else CheckIn.Kind.END_OF_PROGRAMME,
                starts_at=slot.starts_at,
                place=place,
                place_detail=detail,
            )
    asker = members[3]
    if not HelpRequest.objects.filter(cohort=cohort, participant=asker).exists():
        help_request_create(
            participant=asker, cohort=cohort, message="The last few weeks have been a lot. Could we talk?"
        )
    escalated = _escalated_help_request(completed, alumni[0])
    ctx.notes.append(
        f"Check-ins: {facilitator.email} has availability for two weeks, {booked.count()} booked check-ins, "
        f"one open request to talk; '{completed.name}' has {len(boosters)} booster sessions scheduled; "
        f"{escalated.participant.full_name}'s request to talk went unanswered and shows on the service lead's home."
    )


def _escalated_help_request(cohort, person) -> HelpRequest:
    """A request to talk left unanswered past its deadline and a working day more: both ladder steps fired."""
    crisis_contacts_load_defaults()
    request = HelpRequest.objects.filter(cohort=cohort, participant=person).first()
    if request is None:
        request = help_request_create(participant=person, cohort=cohort, message="")
        asked = timezone.now() - timedelta(days=7)
        # Backdated (demo data only): asked a week ago, so the deadline and the next working day have passed.
        HelpRequest.objects.filter(pk=request.pk).update(
            created_at=asked, respond_by=help_request_respond_by(cohort=cohort, asked_at=asked)
        )
    escalation_ladder_walk(ladder=HELP_LADDER)
    return request
