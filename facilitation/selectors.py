# --- Check-ins ---
# Selectors for the check-in panels of the home pages (each a fixed number of queries) and for
# the enrolment rules that depend on check-ins.

from datetime import timedelta  # noqa: E402, RUF100

from django.utils import timezone  # noqa: E402, RUF100

from core.services import access_log_record  # noqa: E402, RUF100
from facilitation.models import Enrolment  # noqa: E402, RUF100
from sessions.models import CheckIn, Cohort, GroupSession, HelpRequest  # noqa: E402, RUF100

# A participant is offered "I'd like to talk" on their home page this long after a high-intensity session.
TALK_OFFER_AFTER_INTENSE_SESSION = timedelta(days=7)
ACTIVE_PLACE = (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)


def pre_group_checkin_done(enrolment: Enrolment) -> bool:
    """Whether the enrolment's participant has had a pre-group check-in (held) for its cohort."""
    return CheckIn.objects.filter(
        cohort_id=enrolment.cohort_id,
        participant_id=enrolment.participant_id,
        kind=CheckIn.Kind.PRE_GROUP,
        status=CheckIn.Status.HELD,
    ).exists()


def pre_group_checkin_outstanding(enrolment: Enrolment) -> bool:
    """Whether the programme asks for a pre-group check-in before the place is confirmed, and none was held."""
    return enrolment.cohort.programme.pre_group_checkin_required and not pre_group_checkin_done(enrolment)


def participant_booster_sessions(user):
    """Booster sessions of the cohorts where ``user`` holds an enrolled or completed place (withdrawn: none)."""
    return (
        GroupSession.objects.filter(
            kind=GroupSession.Kind.BOOSTER,
            cohort__enrolments__participant=user,
            cohort__enrolments__status__in=ACTIVE_PLACE,
        )
        .exclude(status=GroupSession.Status.CANCELLED)
        .select_related("cohort", "cohort__programme", "session_plan")
        .distinct()
        .order_by("starts_at")
    )


def participant_checkins_panel(user) -> dict:
    """Context for ``facilitation/partials/participant_checkins.html`` (five queries whatever the data).

    - ``checkin_cohorts``: the cohorts where ``user`` holds an enrolled or completed place
    - ``upcoming_checkins``: their booked check-ins from now on, with facilitator
    - ``open_help_requests``: their "I'd like to talk" requests not yet handled
    - ``talk_offered``: a high-intensity session of theirs was held in the last seven days
    - ``upcoming_boosters``: booster sessions from now on (none once withdrawn)
    """
    now = timezone.now()
    cohorts = list(
        Cohort.objects.filter(enrolments__participant=user, enrolments__status__in=ACTIVE_PLACE)
        .select_related("programme")
        .distinct()
    )
    upcoming = list(
        CheckIn.objects.filter(participant=user, status=CheckIn.Status.BOOKED, starts_at__gte=now)
        .select_related("facilitator")
        .order_by("starts_at")[:5]
    )
    open_requests = list(HelpRequest.objects.filter(participant=user, status=HelpRequest.Status.OPEN))
    talk_offered = GroupSession.objects.filter(
        cohort__in=[cohort.pk for cohort in cohorts],
        status=GroupSession.Status.HELD,
        session_plan__intensity="high",
        held_at__gte=now - TALK_OFFER_AFTER_INTENSE_SESSION,
    ).exists()
    boosters = list(participant_booster_sessions(user).filter(starts_at__gte=now)[:3])
    return {
        "checkin_cohorts": cohorts,
        "upcoming_checkins": upcoming,
        "open_help_requests": open_requests,
        "talk_offered": talk_offered,
        "upcoming_boosters": boosters,
    }


def facilitator_checkins_panel(user) -> dict:
    """Context for ``facilitation/partials/facilitator_checkins.html`` (three queries whatever the data,
    plus one insert into the access log when requests are shown, as their messages are clinical).

    - ``open_help_requests``: unhandled "I'd like to talk" requests from the cohorts ``user`` facilitates
    - ``upcoming_checkins``: the next ten check-ins booked with ``user`` (from an hour ago on)
    - ``checkins_to_record``: check-ins with ``user`` that have ended but are still marked booked
    """
    now = timezone.now()
    requests = list(
        HelpRequest.objects.filter(cohort__facilitators=user, status=HelpRequest.Status.OPEN)
        .select_related("participant", "cohort")
        .order_by("created_at")
    )
    booked = CheckIn.objects.filter(facilitator=user, status=CheckIn.Status.BOOKED).select_related(
        "participant", "cohort"
    )
    upcoming = list(booked.filter(starts_at__gte=now - timedelta(hours=1)).order_by("starts_at")[:10])
    to_record = list(booked.filter(ends_at__lt=now).order_by("-starts_at")[:10])
    access_log_record(actor=user, records=[r for r in requests if r.message], subject_attr="participant")
    return {"open_help_requests": requests, "upcoming_checkins": upcoming, "checkins_to_record": to_record}
