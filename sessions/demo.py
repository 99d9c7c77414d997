"""Demo cohorts: one recruiting (starts next week), one running in its sixth week with attendance history.

Participants 1-4 (plus four more group members without logins) are in the
running group; participants 5-8 are at different steps of joining the
recruiting one. Idempotent: a cohort that already exists by name is left alone.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from accounts.services import user_ensure
from core.demo import DemoContext
from programmes.models import Programme, SessionPlan
from sessions.checkins_demo import seed_checkins
from sessions.models import Attendance, Cohort, Enrolment, GroupSession
from sessions.selectors.places import cohort_pack_current
from sessions.services.attendance import apologies_send, attendance_record
from sessions.services.cohorts import cohort_create
from sessions.services.enrolments import enrolment_acknowledge, enrolment_confirm, enrolment_waitlist
from sessions.services.group_sessions import group_notes_update, group_session_hold
from sessions.services.invitations import enrolment_invite

RUNNING_NAME = "Lunchtime group"
RECRUITING_NAME = "New year group"
EXTRA_MEMBERS = [("Isla", "Brown"), ("Jonah", "Reid"), ("Kemi", "Bello"), ("Lena", "Novak")]


def demo_programme(ctx: DemoContext) -> Programme | None:
    programme = ctx.objects.get("programme")
    if programme is not None:
        return programme
    return (
        Programme.objects.filter(status=Programme.Status.PUBLISHED)
        .annotate(weekly=Count("session_plans", filter=Q(session_plans__kind=SessionPlan.Kind.WEEKLY)))
        .filter(weekly=12)
        .order_by("-created_at")
        .first()
    )


# The running group's places were taken before it began; the demo writes them afterwards, when the
# group is already closed to newcomers, so it records why (as a facilitator would for a late joiner).
JOINED_BEFORE_START = "Joined before the group began; entered afterwards with the demo data."


def _place(cohort: Cohort, person: User, *, by: User, until: str, reason: str = "") -> Enrolment:
    """Take ``person`` through the life cycle up to ``until`` (invited, acknowledged, enrolled, waitlisted)."""
    enrolment = enrolment_invite(cohort=cohort, email=person.email, by=by, send_email=False, reason=reason).enrolment
    if until == Enrolment.Status.INVITED:
        return enrolment
    enrolment = enrolment_acknowledge(enrolment=enrolment, pack=cohort_pack_current(cohort=cohort), by=person)
    if until == Enrolment.Status.WAITLISTED:
        return enrolment_waitlist(enrolment=enrolment, by=by)
    if until == Enrolment.Status.ENROLLED:
        return enrolment_confirm(enrolment=enrolment, by=by)
    return enrolment


def seed_running(ctx: DemoContext, programme: Programme, facilitator: User, cofacilitator: User | None) -> Cohort:
    today = timezone.localdate()
    # Five weekly sessions are behind it; the sixth is on the next Tuesday, Wednesday or Thursday.
    ahead = next(days for days in range(1, 8) if (today + datetime.timedelta(days=days)).weekday() in (1, 2, 3))
    start = today + datetime.timedelta(days=ahead) - datetime.timedelta(weeks=5)
    cohort = cohort_create(
        programme=programme,
        name=RUNNING_NAME,
        facilitators=[f for f in (facilitator, cofacilitator) if f],
        start_date=start,
        start_time=datetime.time(12, 30),
        time_zone="Europe/London",
        holiday_region="GB-ENG",
        venue="Wellbeing room, Education Centre",
        capacity=8,
        status=Cohort.Status.RUNNING,
        by=facilitator,
        allow_past_start=True,
    )
    members = list(ctx.objects["participants"][:4])
    for index, (first, last) in enumerate(EXTRA_MEMBERS, start=1):
        members.append(
            user_ensure(
                email=f"group-member{index}@steady.example",
                first_name=first,
                last_name=last,
                job_title="Staff nurse",
                is_participant=True,
            )
        )
    places = [
        _place(cohort, person, by=facilitator, until=Enrolment.Status.ENROLLED, reason=JOINED_BEFORE_START)
        for person in members
    ]
    past = GroupSession.objects.filter(cohort=cohort, ends_at__lt=timezone.now()).order_by("starts_at")
    for number, group_session in enumerate(past, start=1):
        group_session_hold(group_session=group_session, by=facilitator)
        group_notes_update(
            group_session=group_session,
            notes="Settling in; the group shared what helps after a hard shift.",
            by=facilitator,
        )
        for place in places:
            status = Attendance.Status.PRESENT
            if place.participant.first_name == "Lena" and number >= 4:
                status = Attendance.Status.ABSENT  # two absences in a row: an early warning
            elif place.participant == members[1] and number == 2:
                status = Attendance.Status.APOLOGIES
            elif place.participant == members[2] and number == 3:
                status = Attendance.Status.LATE
            attendance_record(group_session=group_session, participant=place.participant, status=status, by=facilitator)
    upcoming = GroupSession.objects.filter(cohort=cohort, starts_at__gt=timezone.now()).order_by("starts_at").first()
    if upcoming is not None:
        apologies_send(group_session=upcoming, participant=members[1], note="On a late shift that day.")
    return cohort


def seed_recruiting(ctx: DemoContext, programme: Programme, facilitator: User) -> Cohort:
    today = timezone.localdate()
    start = today + datetime.timedelta(days=7)
    cohort = cohort_create(
        programme=programme,
        name=RECRUITING_NAME,
        facilitators=[facilitator],
        start_date=start,
        start_time=datetime.time(13, 0),
        time_zone="Europe/London",
        holiday_region="GB-ENG",
        venue="Seminar room 3, Education Centre",
        video_link="https://video.steady.example/new-year-group",
        capacity=programme.default_capacity,
        status=Cohort.Status.RECRUITING,
        by=facilitator,
    )
    people = ctx.objects["participants"][4:8]
    steps = [
        Enrolment.Status.ENROLLED,
        Enrolment.Status.ENROLLED,
        Enrolment.Status.ACKNOWLEDGED,
        Enrolment.Status.INVITED,
    ]
    for person, step in zip(people, steps, strict=False):
        _place(cohort, person, by=facilitator, until=step)
    enrolment_invite(cohort=cohort, email="new.starter@hospital.example", by=facilitator, send_email=False)
    return cohort


def seed(ctx: DemoContext) -> None:
    facilitator = ctx.objects.get("facilitator")
    if facilitator is None or len(ctx.objects.get("participants", [])) < 8:
        ctx.notes.append("Cohorts: no demo facilitator or participants, so no demo cohorts.")
        return
    programme = demo_programme(ctx)
    if programme is None:
        ctx.notes.append("Cohorts: no published programme with 12 weekly plans, so no demo cohorts.")
        return
    existing = {c.name: c for c in Cohort.objects.filter(name__in=[RUNNING_NAME, RECRUITING_NAME])}
    running = existing.get(RUNNING_NAME) or seed_running(ctx, programme, facilitator, ctx.objects.get("cofacilitator"))
    recruiting = existing.get(RECRUITING_NAME) or seed_recruiting(ctx, programme, facilitator)
    ctx.objects["running_cohort"] = running
    ctx.objects["recruiting_cohort"] = recruiting
    # Check-ins build on the cohorts and places made above (apps above add their own demo data after this).
    seed_checkins(ctx)
