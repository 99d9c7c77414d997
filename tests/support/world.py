"""One whole Steady world, built once, and every named URL of the project resolved into a real path for it.

What it offers (a stable API; the authorization matrix and the clinical-strings crawl use it):

- ``ROLES``: the eleven people a page can be asked for by, in a fixed order (``"anonymous"`` is nobody).
- ``build_world() -> World``: makes the people and real objects for every URL keyword, at a frozen clock
  (``BUILT_AT``). Call it inside a database-enabled scope (a test, or ``django_db_blocker.unblock()``), with
  ``MEDIA_ROOT`` pointed at a temporary folder (it stores one material's file).
- ``World.people[role]``: the user for each role (``None`` for anonymous); ``World.objects[name]``: the objects
  (see ``build_world`` for the names); ``World.clock()``: a context manager freezing time at ``BUILT_AT``
  (request inside it: what is due, open or released depends on the date).
- ``url_names()``: every ``namespace:name`` of ROOT_URLCONF except the admin's (``named_url_patterns``).
- ``resolve(world, name) -> str`` and ``resolve_all(world) -> dict[name, path]``: a real path for each URL name,
  pointing at "the participant"'s objects (their cohort, place, check-in, request...), so each role sees
  something that is theirs, their cohort's, their staff member's, or someone else's. A URL name with
  keywords and no entry in ``KWARGS`` raises ``LookupError`` naming it: add one when you add a URL.

The people:

======================  ==============================================================================
``participant``         "the participant": a place in cohort A, a check-in, a help request, an offer,
                        a protected-time request with their manager, questionnaire answers (one risk)
``same_cohort``         another participant with a place in cohort A
``elsewhere``           a participant with a place in cohort B only
``facilitator``         facilitates cohort A
``other_facilitator``   facilitates cohort B only
``manager``             the participant's line manager (has a deputy)
``other_manager``       line manager of ``same_cohort`` and ``elsewhere``
``deputy``              a manager with no staff of their own, deciding for ``manager`` this month
``lead``                the service lead
``superuser``           a superuser with admin access and no Steady role
======================  ==============================================================================
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.support.url_coverage import named_url_patterns

ROLES: tuple[str, ...] = (
    "anonymous",
    "participant",
    "same_cohort",
    "elsewhere",
    "facilitator",
    "other_facilitator",
    "manager",
    "other_manager",
    "deputy",
    "lead",
    "superuser",
)

BUILT_AT = datetime.datetime(2026, 6, 1, 7, tzinfo=UTC)  # Monday 08:00 in London
COHORT_A_START = datetime.date(2026, 6, 15)  # two weeks on: the baseline questionnaires are due
CHECKIN_AT = datetime.datetime(2026, 6, 8, 8, tzinfo=UTC)  # Monday 8 June, 09:00 in London
MATERIAL_PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
LINE_MANAGER_TOKEN = "line-manager-link-token-of-the-whole-world"
EXCLUDED_NAMESPACES = {"admin"}


@dataclass
class World:
    people: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)
    now: datetime.datetime = BUILT_AT

    @contextmanager
    def clock(self) -> Iterator[None]:
        """Freeze time where the world was built (what is due, open or released depends on it)."""
        with time_machine.travel(self.now, tick=False):
            yield


def build_world() -> World:
    """Make the people and an object for every URL keyword (see the module docstring for who is who)."""
    from accounts.line_managers import _token_hash
    from accounts.models import LineManagerRequest
    from core.models import CrisisContact
    from facilitation.services.delegations import protected_time_delegation_create
    from facilitation.services.protected_time import protected_time_request_draft, protected_time_submit
    from measures.models import Item, Measure, RiskAlert
    from measures.services import measures_load_builtin, response_answer, response_start, response_submit
    from programmes.models import Material
    from reminders.rendering import unsubscribe_token
    from sessions.models import AvailabilitySlot, CheckinOffer, HelpRequest
    from sessions.services.calendar_feeds import calendar_feed_ensure
    from sessions.services.checkins import checkin_book
    from sessions.services.invitations import enrolment_invite
    from tests.factories import (
        FacilitatorFactory,
        ManagerFactory,
        ParticipantFactory,
        ServiceLeadFactory,
        UserFactory,
        cohort_with_sessions,
        enrol,
    )
    from tests.measures.builders import schedule
    from tests.sessions.factories_checkins import weekly_window

    with time_machine.travel(BUILT_AT, tick=False):
        manager = ManagerFactory(first_name="Morgan")
        other_manager = ManagerFactory(first_name="Olu")
        deputy = ManagerFactory(first_name="Dev")
        facilitator = FacilitatorFactory(first_name="Fran")
        other_facilitator = FacilitatorFactory(first_name="Femi")
        participant = ParticipantFactory(first_name="Amara", line_manager=manager)
        same_cohort = ParticipantFactory(first_name="Ben", line_manager=other_manager)
        elsewhere = ParticipantFactory(first_name="Chidi", line_manager=other_manager)
        lead = ServiceLeadFactory(first_name="Lee")
        superuser = UserFactory(first_name="Sam", is_superuser=True, is_staff=True)

        measures = {measure.code: measure for measure, _state in measures_load_builtin()}
        cohort = cohort_with_sessions(facilitators=[facilitator], start_date=COHORT_A_START)
        other_cohort = cohort_with_sessions(
            facilitators=[other_facilitator], start_date=COHORT_A_START + datetime.timedelta(days=1)
        )
        schedule(cohort.programme, measures)
        schedule(other_cohort.programme, measures)
        enrolment = enrol(cohort, participant)
        same_cohort_enrolment = enrol(cohort, same_cohort)
        elsewhere_enrolment = enrol(other_cohort, elsewhere)
        group_session = cohort.group_sessions.order_by("starts_at").first()

        plan = cohort.programme.session_plans.get(kind="weekly", number=1)
        material = Material.objects.create(
            session_plan=plan,
            title="Soothing-rhythm breathing",
            content="About six breaths a minute.",
            release=Material.Release.ON_ENROLMENT,
            file_type="pdf",
            file_name="breathing.pdf",
        )
        material.file.save("breathing.pdf", ContentFile(MATERIAL_PDF), save=True)

        window = weekly_window(facilitator, weekday=0, start="09:00", end="11:00", minutes=30)
        slot = AvailabilitySlot.objects.create(
            facilitator=facilitator,
            local_date=datetime.date(2026, 6, 10),
            start_time=datetime.time(14, 0),
            minutes=30,
            time_zone=facilitator.time_zone,
        )
        checkin = checkin_book(
            actor=participant,
            participant=participant,
            facilitator=facilitator,
            cohort=cohort,
            kind="pre_group",
            starts_at=CHECKIN_AT,
        )
        help_request = HelpRequest.objects.create(participant=participant, cohort=cohort, message="")
        # Offers are made once a session has started; written directly so the world can stay before week 1.
        checkin_offer = CheckinOffer.objects.create(
            cohort=cohort, group_session=group_session, participant=participant, offered_by=facilitator
        )

        pt_request = protected_time_submit(request=protected_time_request_draft(enrolment=enrolment), actor=participant)
        protected_time_request_draft(enrolment=same_cohort_enrolment)
        protected_time_request_draft(enrolment=elsewhere_enrolment)
        delegation = protected_time_delegation_create(
            manager=manager, deputy=deputy, starts_on=BUILT_AT.date(), ends_on=BUILT_AT.date() + datetime.timedelta(30)
        )
        line_manager_request = LineManagerRequest.objects.create(
            staff_member=participant,
            email=manager.email,
            first_name=manager.first_name,
            token_hash=_token_hash(LINE_MANAGER_TOKEN),
        )

        # A submitted PHQ-9 baseline with a risk answer (an open alert), and a GAD-7 baseline left as a draft.
        risk_response = response_start(
            measure=measures["phq-9"], participant=participant, cohort=cohort, time_point="baseline", by=participant
        )
        for item in Item.objects.filter(measure=measures["phq-9"]).order_by("number"):
            response_answer(response=risk_response, item=item, value=1, by=participant)
        response_submit(response=risk_response, by=participant)
        draft_response = response_start(
            measure=measures["gad-7"], participant=participant, cohort=cohort, time_point="baseline", by=participant
        )
        invitation = enrolment_invite(
            cohort=cohort, email="new.person@hospital.example", by=facilitator, send_email=False
        )
        feed = calendar_feed_ensure(user=participant)

    crisis_contact = CrisisContact.objects.order_by("pk").first()
    if crisis_contact is None:
        crisis_contact = CrisisContact.objects.create(region="GB", name="Samaritans", number="116 123")
    phq9 = measures["phq-9"]
    objects = {
        "cohort": cohort,
        "other_cohort": other_cohort,
        "programme": cohort.programme,
        "plan": plan,
        "material": material,
        "enrolment": enrolment,
        "same_cohort_enrolment": same_cohort_enrolment,
        "elsewhere_enrolment": elsewhere_enrolment,
        "group_session": group_session,
        "availability_window": window,
        "availability_slot": slot,
        "checkin": checkin,
        "checkin_offer": checkin_offer,
        "help_request": help_request,
        "pt_request": pt_request,
        "delegation": delegation,
        "line_manager_request": line_manager_request,
        "line_manager_token": LINE_MANAGER_TOKEN,
        "measure": phq9,
        "risk_item": Item.objects.filter(measure=phq9).order_by("number").last(),
        "unshipped_measure": Measure.objects.filter(wording_shipped=False).order_by("pk").first(),
        "scheduled_measure": cohort.programme.scheduled_measures.get(measure=measures["gad-7"], time_point="baseline"),
        "risk_response": risk_response,
        "draft_response": draft_response,
        "risk_alert": RiskAlert.objects.get(response=risk_response),
        "invitation_token": invitation.token,
        "calendar_token": feed.token,
        "unsubscribe_token": unsubscribe_token(user_id=participant.pk, kind="session_tomorrow"),
        "password_reset_uid": urlsafe_base64_encode(force_bytes(participant.pk)),
        "password_reset_token": default_token_generator.make_token(participant),
        "crisis_contact": crisis_contact,
    }
    people = {
        "anonymous": None,
        "participant": participant,
        "same_cohort": same_cohort,
        "elsewhere": elsewhere,
        "facilitator": facilitator,
        "other_facilitator": other_facilitator,
        "manager": manager,
        "other_manager": other_manager,
        "deputy": deputy,
        "lead": lead,
        "superuser": superuser,
    }
    return World(people=people, objects=objects)


# --- every named URL, resolved for the world ----------------------------------------------------------------


def _pk(name: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"pk": w.objects[name].pk}


# URL name -> the keywords that point it at the world's objects (URLs without keywords need no entry).
KWARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    # accounts
    "password_reset_confirm": lambda w: {
        "uidb64": w.objects["password_reset_uid"],
        "token": w.objects["password_reset_token"],
    },
    "accounts:line_manager_confirm": lambda w: {"token": w.objects["line_manager_token"]},
    # programmes
    **{
        f"programmes:{name}": _pk("programme")
        for name in (
            "programme_detail",
            "programme_edit",
            "programme_duplicate",
            "programme_new_version",
            "programme_publish",
            "programme_retire",
            "programme_export",
            "information_pack_preview",
            "information_pack_edit",
        )
    },
    **{
        f"programmes:{name}": _pk("plan")
        for name in ("session_plan_detail", "session_plan_edit", "agenda_row_add", "agenda_row_remove")
    },
    "programmes:material_detail": _pk("material"),
    "programmes:material_download": _pk("material"),
    # sessions: check-ins, help requests, availability
    "sessions:checkin_book_for": lambda w: {"participant_pk": w.people["participant"].pk},
    "sessions:availability_add": lambda w: {"kind": "window"},
    "sessions:availability_remove": lambda w: {"kind": "window", "pk": w.objects["availability_window"].pk},
    "sessions:help_request_detail": _pk("help_request"),
    "sessions:help_request_handle": _pk("help_request"),
    "sessions:checkin_detail": _pk("checkin"),
    "sessions:checkin_offer": _pk("checkin_offer"),
    "sessions:checkin_cancel": _pk("checkin"),
    "sessions:checkin_place": _pk("checkin"),
    "sessions:checkin_ics": _pk("checkin"),
    # sessions: places, materials, invitations, calendars
    "sessions:enrolment_pack": _pk("enrolment"),
    "sessions:enrolment_leave": _pk("enrolment"),
    "sessions:enrolment_not_for_me": _pk("enrolment"),
    "sessions:enrolment_hour_reminder": _pk("enrolment"),
    "sessions:apologies_send": _pk("group_session"),
    "sessions:apologies_withdraw": _pk("group_session"),
    "sessions:material_detail": _pk("material"),
    "sessions:material_file": _pk("material"),
    "sessions:invitation_accept": lambda w: {"token": w.objects["invitation_token"]},
    "sessions:invitation_not_for_me": lambda w: {"token": w.objects["invitation_token"]},
    "sessions:calendar_feed": lambda w: {"token": w.objects["calendar_token"]},
    "sessions:session_ics": _pk("group_session"),
    # sessions: the facilitator's side
    "sessions:cohort_detail": _pk("cohort"),
    "sessions:cohort_overview": _pk("cohort"),
    "sessions:cohort_edit": _pk("cohort"),
    "sessions:cohort_status": _pk("cohort"),
    "sessions:cohort_invite": _pk("cohort"),
    "sessions:enrolment_withdraw": _pk("enrolment"),
    "sessions:enrolment_action": lambda w: {"pk": w.objects["enrolment"].pk, "action": "waitlist"},
    "sessions:session_run": _pk("group_session"),
    "sessions:attendance_mark": lambda w: {
        "pk": w.objects["group_session"].pk,
        "participant_id": w.people["participant"].pk,
    },
    "sessions:session_notes": _pk("group_session"),
    "sessions:checkin_offers_make": _pk("group_session"),
    "sessions:session_hold": _pk("group_session"),
    "sessions:session_reschedule": _pk("group_session"),
    "sessions:session_cancel": _pk("group_session"),
    # measures
    "measures:measure_detail": _pk("measure"),
    "measures:measure_import": _pk("unshipped_measure"),
    "measures:item_risk_flag": lambda w: {"pk": w.objects["measure"].pk, "item_pk": w.objects["risk_item"].pk},
    "measures:response_begin": lambda w: {
        "cohort_id": w.objects["cohort"].pk,
        "scheduled_id": w.objects["scheduled_measure"].pk,
    },
    "measures:response_answer": _pk("draft_response"),
    "measures:response_review": _pk("draft_response"),
    "measures:response_submit": _pk("draft_response"),
    "measures:response_done": _pk("risk_response"),
    "measures:response_correct": _pk("risk_response"),
    "measures:risk_alert_acknowledge": _pk("risk_alert"),
    "measures:cohort_results": _pk("cohort"),
    "measures:cohort_evaluation": _pk("cohort"),
    "measures:cohort_evaluation_csv": _pk("cohort"),
    "measures:cohort_research_csv": _pk("cohort"),
    # reminders
    "reminders:unsubscribe": lambda w: {"token": w.objects["unsubscribe_token"]},
    # facilitation
    "facilitation:crisis_contact_edit": _pk("crisis_contact"),
    "facilitation:crisis_contact_remove": _pk("crisis_contact"),
    "facilitation:protected_time_decide": _pk("pt_request"),
    "facilitation:protected_time_comment": _pk("pt_request"),
    "facilitation:protected_time_delegation_end": _pk("delegation"),
    "facilitation:protected_time_participant": _pk("pt_request"),
    "facilitation:line_manager_confirm": _pk("line_manager_request"),
    "facilitation:protected_time_participant_submit": _pk("pt_request"),
    "facilitation:protected_time_participant_withdraw": _pk("pt_request"),
    "facilitation:protected_time_matrix": _pk("cohort"),
    "facilitation:protected_time_facilitator_submit": _pk("pt_request"),
    "facilitation:protected_time_record_external": _pk("pt_request"),
}


def url_names() -> list[str]:
    """Every named URL of ROOT_URLCONF outside the admin, sorted."""
    return sorted(name for name in named_url_patterns() if name.split(":")[0] not in EXCLUDED_NAMESPACES)


def _keywords() -> dict[str, set[str]]:
    """URL name -> the keywords its pattern takes (all the patterns a name has)."""
    found: dict[str, set[str]] = {}

    def walk(patterns: Any, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                found.setdefault(f"{namespace}{entry.name}", set()).update(entry.pattern.regex.groupindex)

    walk(get_resolver().url_patterns, "")
    return found


def resolve(world: World, name: str) -> str:
    """A real path for ``name`` pointing at the world's objects; ``LookupError`` if it needs keywords we lack."""
    if name in KWARGS:
        return reverse(name, kwargs=KWARGS[name](world))
    try:
        return reverse(name)
    except NoReverseMatch:
        raise LookupError(f"{name} takes keywords: add it to KWARGS in tests/support/world.py") from None


def resolve_all(world: World) -> dict[str, str]:
    """Every URL name (``url_names()``) -> its path in ``world``; one ``LookupError`` naming all that lack keywords."""
    keywords = _keywords()
    lacking = [name for name in url_names() if keywords.get(name) and name not in KWARGS]
    if lacking:
        raise LookupError("Add these to KWARGS in tests/support/world.py: " + ", ".join(lacking))
    return {name: resolve(world, name) for name in url_names()}
