"""Reads for each role's home page, each a fixed number of queries whatever the size of the group."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.line_managers import line_manager_requests_waiting
from accounts.models import User
from core import page_cache
from core.formatting import local_format, zone
from core.models import Heartbeat
from core.querysets import rows_with_related_if_any
from core.services import access_log_record
from facilitation.selectors.protected_time import participant_protected_time
from measures.selectors import responses_due_for, risk_alerts_open_for
from programmes.models import Programme, SessionPlan
from reminders.selectors import preferences_enabled
from sessions.models import Attendance, CalendarFeed, CheckIn, Cohort, Enrolment, GroupSession, HelpRequest
from sessions.selectors.checkin_offers import checkin_offers_not_taken_up, checkin_offers_open_for
from sessions.selectors.checkin_prompts import checkin_prompts_for
from sessions.selectors.checkins import mark_pre_group_checkin_needed
from sessions.selectors.cohorts import (
    attach_next_sessions,
    attach_progress,
    attach_schedule,
    cohort_sessions,
    cohorts_with_places,
)
from sessions.selectors.cover import cover_warnings, cover_warnings_for, needs_cover_check
from sessions.selectors.help_requests import help_requests_escalated_to_lead, participant_help_panel
from sessions.selectors.places import (
    ParticipantGroup,
    meeting_facts_for,
    participant_groups,
    participant_left_groups,
)


def participant_home(*, user: User) -> dict:
    """Everything on the participant's home page, in a fixed number of queries.

    One query reads every place of theirs (pending, held and left), which the groups, the groups left, the
    check-in prompts and the questionnaires due all work from; the check-ins panel works from the timeline
    ``participant_groups`` has already read, rather than asking again.
    """
    enrolments = list(Enrolment.objects.filter(participant=user).select_related("cohort__programme"))
    places = [e for e in enrolments if e.status in Enrolment.PLACE_STATUSES]
    pending = mark_pre_group_checkin_needed(
        enrolments=sorted(
            (e for e in enrolments if e.status in Enrolment.PENDING_STATUSES), key=lambda e: (e.cohort_id, e.created_at)
        )
    )
    facts = meeting_facts_for(cohorts=[enrolment.cohort for enrolment in pending])
    for enrolment in pending:
        enrolment.facts = facts[enrolment.cohort_id]
    groups = participant_groups(user=user, enrolments=places)
    session_rows_label(groups=groups, time_zone=user.time_zone)
    return {
        "groups": groups,
        "left_groups": participant_left_groups(user=user, enrolments=enrolments),
        "pending": pending,
        "feed": CalendarFeed.objects.filter(user=user).first(),
        "due": responses_due_for(user, cohorts=[e.cohort for e in places]),
        "checkin_offers": checkin_offers_open_for(user=user),
        "checkin_prompts": checkin_prompts_for(user=user, enrolments=enrolments),
        "reminders_on": preferences_enabled(user),
        **participant_checkins_panel(user=user, groups=groups),
        **participant_help_panel(user=user),
        **participant_protected_time(participant=user),
    }


def participant_home_scopes(*, user: User) -> list[str]:
    """What the participant's home shows beyond the person's own records (for ``core.page_cache``; one query):
    every cohort they have or had a place in (any status) and its programme."""
    rows = Enrolment.objects.filter(participant=user).values_list("cohort_id", "cohort__programme_id").distinct()
    cohorts, programmes = zip(*rows, strict=True) if rows else ((), ())
    return [
        *(page_cache.cohort(pk) for pk in sorted(set(cohorts))),
        *(page_cache.programme(pk) for pk in sorted(set(programmes))),
    ]


def participant_home_next_change(*, context: dict, time_zone: str, now: datetime) -> datetime | None:
    """The next moment the participant's home would read differently by the clock alone (no write).

    Every rule of the page that turns on the time counts from a session, a check-in, a leaving date or a
    date: a session starts (next session, this week's practice, questionnaire windows, check-in prompts) or
    ends; a week after it starts (practice after the last session); 28 days after (a questionnaire window
    closes); four weeks after it ends (the end-of-group prompt); a week after a heavy session was held (the
    offer to talk); a booked check-in starts; the window to ask for a talk after leaving closes; midnight in
    any time zone shown (the day, the week's materials). ``STEADY_PAGE_CACHE_SECONDS`` covers anything else.
    """
    moments: list[datetime] = []
    zones = {time_zone}
    for group in [*context["groups"], *context["left_groups"]]:
        zones.add(group.cohort.time_zone)
        for s in group.sessions:
            moments += [
                s.starts_at,
                s.ends_at,
                s.starts_at + timedelta(weeks=1),
                s.starts_at + timedelta(days=28),
                s.ends_at + timedelta(weeks=4),
            ]
            if s.held_at:
                moments.append(s.held_at + TALK_OFFER_AFTER_INTENSE_SESSION)
        if group.enrolment.withdrawn_at:
            moments.append(group.enrolment.withdrawn_at + timedelta(weeks=settings.STEADY_HELP_AFTER_LEAVING_WEEKS))
    for enrolment in context["pending"]:
        zones.add(enrolment.cohort.time_zone)
        facts = enrolment.facts
        if facts.first_start is not None:
            moments.append(facts.first_start.replace(tzinfo=zone(enrolment.cohort.time_zone)))
    moments += [c.starts_at for c in context["upcoming_checkins"]]
    moments += [d.closes_at for d in context["due"] if d.closes_at]
    for name in zones:
        local = now.astimezone(zone(name))
        moments.append(datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=zone(name)))
    ahead = [m for m in moments if m > now]
    return min(ahead) if ahead else None


def session_rows_label(*, groups: list[ParticipantGroup], time_zone: str) -> None:
    """Give each session of the "All sessions" list its text, made once here rather than by per-row template work.

    ``label`` ("Week 3", "Follow-up 1"), ``when`` (day and time in ``time_zone``), ``state`` (held, cancelled with why,
    moved with why, upcoming).
    """
    week, booster = _("Week"), _("Follow-up")
    held, cancelled, moved, upcoming = _("held"), _("cancelled"), _("moved"), _("upcoming")
    for group in groups:
        for s in group.sessions:
            s.label = f"{booster if s.kind == GroupSession.Kind.BOOSTER else week} {s.number}"
            s.when = local_format(s.starts_at, time_zone, "D j M, H:i")
            if s.status == GroupSession.Status.HELD:
                s.state = held
            elif s.status == GroupSession.Status.CANCELLED:
                s.state = f"{cancelled}: {s.cancel_reason}" if s.cancel_reason else cancelled
            elif s.moved_reason:
                s.state = f"{moved}: {s.moved_reason}"
            else:
                s.state = upcoming


@dataclass
class EarlyWarning:
    cohort: Cohort
    participant: User
    sessions: list[GroupSession]


def last_two_held(sessions: list[GroupSession]) -> dict[int, GroupSession]:
    """Each cohort's two most recent held sessions (cohorts with fewer are left out), by session id."""
    by_cohort: dict[int, list[GroupSession]] = defaultdict(list)
    for group_session in sorted(sessions, key=lambda s: s.starts_at, reverse=True):
        if group_session.status == GroupSession.Status.HELD and len(by_cohort[group_session.cohort_id]) < 2:
            by_cohort[group_session.cohort_id].append(group_session)
    return {s.pk: s for pair in by_cohort.values() if len(pair) == 2 for s in pair}


def early_warnings(*, last_two: dict[int, GroupSession], absences: list[Attendance]) -> list[EarlyWarning]:
    """Participants absent without apologies from each cohort's two most recent held sessions.

    ``last_two`` from ``last_two_held`` (sessions with their cohort set), ``absences`` the absent marks of those
    sessions with their participant; no query.
    """
    marks: dict[tuple[int, int], list[Attendance]] = defaultdict(list)
    for row in absences:
        marks[(last_two[row.group_session_id].cohort_id, row.participant_id)].append(row)
    warnings = [
        EarlyWarning(
            cohort=last_two[rows[0].group_session_id].cohort,
            participant=rows[0].participant,
            sessions=sorted((last_two[r.group_session_id] for r in rows), key=lambda s: s.starts_at),
        )
        for rows in marks.values()
        if len(rows) == 2
    ]
    return sorted(warnings, key=lambda w: (w.cohort.name, w.participant.first_name))


def facilitator_cohorts(*, user: User, now: datetime | None = None) -> list[Cohort]:
    """The cohorts ``user`` facilitates that are open, or completed with follow-up (booster) sessions still ahead."""
    now = now or timezone.now()
    boosters_ahead = GroupSession.objects.filter(
        cohort=OuterRef("pk"),
        kind=GroupSession.Kind.BOOSTER,
        status=GroupSession.Status.SCHEDULED,
        ends_at__gt=now,
    )
    still_running = Q(status__in=Cohort.OPEN_STATUSES) | Q(status=Cohort.Status.COMPLETED, has_boosters_ahead=True)
    cohorts = Cohort.objects.filter(facilitators=user).annotate(has_boosters_ahead=Exists(boosters_ahead))
    return list(cohorts_with_places(cohorts=cohorts.filter(still_running)).order_by("start_date", "name"))


LEAD_TABLE_FIELDS = (
    "id",
    "name",
    "status",
    "capacity",
    "time_zone",
    "start_date",
    "programme__id",
    "programme__name",
    "programme__version",
)


def lead_home(*, now: datetime | None = None) -> dict:
    """The service lead's overview: every cohort with places and next session, and background work.

    Counts and dates only: nothing clinical (no attendance, notes, reasons or help-request messages), except
    who is waiting on an escalated request to talk. Constant queries whatever the size.
    """
    now = now or timezone.now()
    # Only what the table shows is read: a row per cohort, in every cohort there has been.
    cohorts = list(
        cohorts_with_places(cohorts=Cohort.objects.all()).only(*LEAD_TABLE_FIELDS).order_by("-start_date", "name")
    )
    attach_next_sessions(cohorts=cohorts, now=now, with_plan=False)
    attach_progress(cohorts=cohorts, now=now)
    # The table has a row per cohort: its text is made here once, not by filters in every row.
    status_labels = {value: str(label) for value, label in Cohort.Status.choices}
    for cohort in cohorts:
        cohort.status_label = status_labels[cohort.status]
        cohort.next_session_when = (
            local_format(cohort.next_session.starts_at, cohort.time_zone, "D j M, H:i") if cohort.next_session else ""
        )
    return {
        "cohorts": cohorts,
        "programmes_published": Programme.objects.filter(status=Programme.Status.PUBLISHED).count(),
        "cover_warnings": cover_warnings(now=now),
        "line_manager_requests": line_manager_requests_waiting(),
        "heartbeats": list(Heartbeat.objects.order_by("name")),
        "escalated_help_requests": help_requests_escalated_to_lead(),
    }


def facilitator_home_scopes(*, user: User) -> list[str]:
    """Every cohort ``user`` facilitates, in any status (for ``core.page_cache``; one query).

    A superset of the cohorts the kept part lists: a cohort joins or leaves it by a write that bumps the
    facilitator (``cohort_create``, ``cohort_update``), by its status (bumps the cohort) or by the clock.
    """
    ids = Cohort.objects.filter(facilitators=user).order_by("pk").values_list("pk", flat=True)
    return [page_cache.cohort(pk) for pk in ids]


def facilitator_home_kept(*, user: User, now: datetime | None = None) -> dict:
    """The part of the facilitator's home kept in the page cache: apologies and early warnings ("Needs you"),
    cover, and their cohorts with places, progress and next session. Four queries, two more with cover.

    The cohorts' sessions are read once (``cohort_sessions``) and give the next session, progress, the last
    two held (early warnings), the sessions ahead (apologies) and those that need cover; the apologies and
    absences come in one more query. ``next_change`` is the next moment it reads differently by the clock
    alone: a session of theirs starts (progress) or ends (next session, apologies, cover, boosters ahead).
    """
    now = now or timezone.now()
    cohorts = facilitator_cohorts(user=user, now=now)
    sessions = cohort_sessions(cohort_ids=[c.pk for c in cohorts])
    attach_schedule(cohorts=cohorts, sessions=sessions, now=now)
    last_two = last_two_held(sessions)
    ahead = {s.pk: s for s in sessions if s.status == GroupSession.Status.SCHEDULED and s.ends_at > now}
    marks = list(
        Attendance.objects.filter(
            Q(group_session_id__in=list(ahead), status=Attendance.Status.APOLOGIES)
            | Q(group_session_id__in=list(last_two), status=Attendance.Status.ABSENT)
        )
        .select_related("participant")
        .only("group_session_id", "participant_id", "status", "participant__id", "participant__first_name")
    )
    apologies = [m for m in marks if m.status == Attendance.Status.APOLOGIES]
    for mark in apologies:
        mark.group_session = ahead[mark.group_session_id]
    apologies.sort(key=lambda m: (m.group_session.starts_at, m.participant.first_name))
    # Row text made here once per row, not by tags and filters in the template.
    sent_apologies = _("%(name)s (%(cohort)s) sent apologies for %(day)s.")
    for mark in apologies:
        cohort = mark.group_session.cohort
        day = local_format(mark.group_session.starts_at, cohort.time_zone, "D j M")
        mark.text = sent_apologies % {"name": mark.participant.first_name, "cohort": cohort.name, "day": day}
    status_labels = {value: str(label) for value, label in Cohort.Status.choices}
    for cohort in cohorts:
        cohort.status_label = status_labels[cohort.status]
        cohort.next_session_when = (
            local_format(cohort.next_session.starts_at, cohort.time_zone, "l j F, H:i") if cohort.next_session else ""
        )
    moments = [m for s in sessions for m in (s.starts_at, s.ends_at) if m > now]
    return {
        "cohorts": cohorts,
        "apologies": apologies,
        "warnings": early_warnings(
            last_two=last_two, absences=[m for m in marks if m.status == Attendance.Status.ABSENT]
        ),
        "cover_warnings": cover_warnings_for(sessions=[s for s in sessions if needs_cover_check(s, now=now)]),
        "next_change": min(moments) if moments else None,
    }


def facilitator_home_live(*, user: User, now: datetime | None = None) -> dict:
    """The part of the facilitator's home read on every visit: open risk alerts, check-in offers not taken up,
    the check-ins panel (requests to talk, whose every view is logged) and the calendar feed. Six queries, and
    the access-log insert when requests to talk are shown."""
    now = now or timezone.now()
    return {
        # Only what the panel shows (measures/partials/risk_alerts.html); empty on most visits.
        "risk_alerts": rows_with_related_if_any(
            risk_alerts_open_for(user).only(
                "created_at",
                "response_id",
                "item_id",
                "item__id",
                "item__number",
                "response__id",
                "response__participant_id",
                "response__cohort_id",
                "response__measure_id",
                "response__participant__id",
                "response__participant__first_name",
                "response__participant__last_name",
                "response__cohort__id",
                "response__cohort__name",
                "response__measure__id",
                "response__measure__short_name",
            )
        ),
        "offers_not_taken_up": checkin_offers_not_taken_up(facilitator=user, now=now),
        "feed": CalendarFeed.objects.filter(user=user).first(),
        **facilitator_checkins_panel(user=user),
    }


# A participant is offered "I'd like to talk" on their home page this long after a high-intensity session.
TALK_OFFER_AFTER_INTENSE_SESSION = timedelta(days=7)


def participant_checkins_panel(*, user: User, groups: list[ParticipantGroup] | None = None) -> dict:
    """Context for ``facilitation/partials/participant_checkins.html``.

    One query (check-ins) given ``groups`` from ``participant_groups`` (the home page has them); without, those
    are read first. Cohorts and the talk offer come from the groups' timeline.

    - ``checkin_cohorts``: the cohorts where ``user`` holds an enrolled or completed place
    - ``upcoming_checkins``: their booked check-ins from now on, with facilitator
    - ``talk_offered``: a high-intensity session of theirs was held in the last seven days
    """
    now = timezone.now()
    if groups is None:
        groups = participant_groups(user=user, now=now)
    sessions = [s for group in groups for s in group.sessions]
    upcoming = list(
        CheckIn.objects.filter(participant=user, status=CheckIn.Status.BOOKED, starts_at__gte=now)
        .select_related("facilitator")
        .order_by("starts_at")[:5]
    )
    talk_offered = any(
        s.status == GroupSession.Status.HELD
        and s.session_plan.intensity == SessionPlan.Intensity.HIGH
        and s.held_at is not None
        and s.held_at >= now - TALK_OFFER_AFTER_INTENSE_SESSION
        for s in sessions
    )
    return {
        "checkin_cohorts": [group.cohort for group in groups],
        "upcoming_checkins": upcoming,
        "talk_offered": talk_offered,
    }


def facilitator_checkins_panel(*, user: User) -> dict:
    """Context for ``facilitation/partials/facilitator_checkins.html`` (three queries whatever the data,
    plus one insert into the access log when requests are shown, as their messages are clinical).

    - ``open_help_requests``: unhandled "I'd like to talk" requests from the cohorts ``user`` facilitates
    - ``upcoming_checkins``: the next ten check-ins booked with ``user`` (from an hour ago on)
    - ``checkins_to_record``: check-ins with ``user`` that have ended but are still marked booked
    """
    now = timezone.now()
    # Only the columns the panel shows: not every column of the person (password hash and all) and the cohort.
    names = ("participant__id", "participant__first_name", "participant__last_name")
    requests = list(
        HelpRequest.objects.filter(cohort__facilitators=user, status=HelpRequest.Status.OPEN)
        .select_related("participant", "cohort")
        .only(
            "participant_id", "cohort_id", "message", "created_at", "respond_by", *names, "cohort__id", "cohort__name"
        )
        .order_by("created_at")
    )
    booked = (
        CheckIn.objects.filter(facilitator=user, status=CheckIn.Status.BOOKED)
        .select_related("participant")
        .only("participant_id", "kind", "starts_at", "ends_at", "place", "place_detail", *names)
    )
    upcoming = list(booked.filter(starts_at__gte=now - timedelta(hours=1)).order_by("starts_at")[:10])
    to_record = list(booked.filter(ends_at__lt=now).order_by("-starts_at")[:10])
    access_log_record(actor=user, records=[r for r in requests if r.message], subject_attr="participant")
    # Row text made here once per row, not by tags and filters in the template.
    kinds = {value: str(label) for value, label in CheckIn.Kind.choices}
    for checkin in [*upcoming, *to_record]:
        checkin.when = local_format(checkin.starts_at, user.time_zone, "D j M, H:i")
        checkin.kind_label = kinds[checkin.kind]
    for request in requests:
        request.when = local_format(request.created_at, user.time_zone, "D j M, H:i")
        respond_by = request.respond_by
        request.respond_by_when = local_format(respond_by, user.time_zone, "D j M, H:i") if respond_by else ""
    return {"open_help_requests": requests, "upcoming_checkins": upcoming, "checkins_to_record": to_record}
