"""Every named GET page of Steady, placed: a query budget, or exempt with its reason.

Checked by tests/core/test_query_budgets.py. A page whose size grows with data (a list, a home, a report, a
feed, an export, a dashboard) has a ``Budget``: who opens it, its address in the world of
tests/support/query_world.py, and the number of database queries it makes, cold (nothing cached), which
must be the same with one unit of data and with ten. Any other named URL (one object's page or form, a
redirect, a POST-only action, a fixed page) is in ``EXEMPT`` with the reason. A new named URL fails the
check until it is placed in one or the other.

When a page's budget changes on purpose, change its number here and say why in the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from tests.support.query_world import World


@dataclass(frozen=True)
class Budget:
    role: str | None  # the World attribute of the person who opens it; None: no one signs in (a secret address)
    url: Callable[[World], str]
    queries: int  # cold: the bell's count and any page cache empty
    grows_with: str
    totals_only: bool = False  # shows counts or averages: its body does not lengthen with more data


def _to(name: str, *attributes: str, query: Callable[[World], str] | None = None) -> Callable[[World], str]:
    """The address of ``name`` with the pks of the world's ``attributes`` as its arguments (and ``query``'s string)."""

    def url(world: World) -> str:
        path = reverse(name, args=[getattr(world, attribute).pk for attribute in attributes])
        return f"{path}?{query(world)}" if query else path

    return url


# Keyed by URL name; "name?what" is the same page with a query string that changes what it reads.
BUDGETS: dict[str, Budget] = {
    # --- Homes -----------------------------------------------------------------------------------------------
    "facilitation:participant_home": Budget(
        "participant",
        _to("facilitation:participant_home"),
        25,
        "places and past groups with sessions, check-ins, offers, help requests, protected time, questionnaires due",
    ),
    "facilitation:facilitator_home": Budget(
        "facilitator",
        _to("facilitation:facilitator_home"),
        18,
        "cohorts, apologies, risk alerts, offers, help requests, check-ins",
    ),
    "facilitation:manager_home": Budget(
        "manager",
        _to("facilitation:manager_home"),
        8,
        "staff's protected-time requests, deputies, line managers to confirm",
    ),
    "facilitation:lead_home": Budget(
        "lead", _to("facilitation:lead_home"), 13, "every cohort, line managers to confirm, escalated help requests"
    ),
    # --- The service lead's pages ------------------------------------------------------------------------------
    "facilitation:crisis_contacts": Budget("lead", _to("facilitation:crisis_contacts"), 4, "crisis contacts"),
    "facilitation:crisis_contact_edit": Budget(
        "lead",
        _to("facilitation:crisis_contact_edit", "crisis_contact"),
        5,
        "crisis contacts (the list beside the form)",
    ),
    "facilitation:organisation_report": Budget(
        "lead", _to("facilitation:organisation_report"), 11, "cohorts, scores, protected time"
    ),
    "facilitation:organisation_report?to=mid": Budget(
        "lead",
        _to("facilitation:organisation_report", query=lambda world: "to=mid"),
        11,
        "cohorts, scores to mid-programme",
    ),
    "facilitation:organisation_report_csv": Budget(
        "lead", _to("facilitation:organisation_report_csv"), 10, "cohorts, scores, protected time"
    ),
    "facilitation:audit_log": Budget("lead", _to("facilitation:audit_log"), 6, "access-log rows (a page of them)"),
    "facilitation:audit_log?person": Budget(
        "lead",
        _to("facilitation:audit_log", query=lambda world: f"person={world.facilitator.email}&page=2"),
        7,
        "one person's access-log rows, the second page",
    ),
    "reminders:operations": Budget("lead", _to("reminders:operations"), 6, "reminders by status, failed ones"),
    "sessions:cohort_overview": Budget(
        "lead", _to("sessions:cohort_overview", "cohort"), 8, "places, sessions, attendance counts", totals_only=True
    ),
    # --- Protected time ------------------------------------------------------------------------------------------
    "facilitation:protected_time_inbox": Budget(
        "manager", _to("facilitation:protected_time_inbox"), 8, "staff's requests"
    ),
    "facilitation:protected_time_decide": Budget(
        "manager",
        _to("facilitation:protected_time_decide", "protected_time_request"),
        8,
        "one request's sessions and comments",
    ),
    "facilitation:protected_time_history": Budget(
        "manager", _to("facilitation:protected_time_history"), 6, "decisions and comments"
    ),
    "facilitation:protected_time_calendar": Budget(
        "manager", _to("facilitation:protected_time_calendar"), 3, "approved sessions"
    ),
    "facilitation:protected_time_delegations": Budget(
        "manager", _to("facilitation:protected_time_delegations"), 4, "deputies"
    ),
    "facilitation:protected_time_participant": Budget(
        "participant",
        _to("facilitation:protected_time_participant", "protected_time_request"),
        8,
        "one request's sessions and comments",
    ),
    "facilitation:protected_time_matrix": Budget(
        "facilitator", _to("facilitation:protected_time_matrix", "cohort"), 7, "places by sessions"
    ),
    # --- The participant's own -----------------------------------------------------------------------------------
    "facilitation:my_data": Budget("participant", _to("facilitation:my_data"), 37, "everything held about them"),
    "facilitation:my_data_json": Budget(
        "participant", _to("facilitation:my_data_json"), 36, "everything held about them"
    ),
    "measures:my_scores": Budget("participant", _to("measures:my_scores"), 9, "their responses and scores"),
    "sessions:checkin_list": Budget("participant", _to("sessions:checkin_list"), 4, "their check-ins"),
    "sessions:checkin_book": Budget("participant", _to("sessions:checkin_book"), 11, "free slots, booked check-ins"),
    "sessions:checkin_book?move": Budget(
        "participant",
        _to("sessions:checkin_book", query=lambda world: f"move={world.checkin.pk}"),
        12,
        "free slots, to move a booked check-in",
    ),
    "sessions:help_request_create": Budget(
        "participant", _to("sessions:help_request_create"), 6, "their groups to choose from, their open requests"
    ),
    "sessions:help_request_detail": Budget(
        "participant", _to("sessions:help_request_detail", "help_request"), 5, "crisis contacts"
    ),
    "reminders:notifications": Budget("participant", _to("reminders:notifications"), 4, "notifications"),
    # --- The facilitator's pages -----------------------------------------------------------------------------------
    "sessions:cohort_detail": Budget(
        "facilitator", _to("sessions:cohort_detail", "cohort"), 10, "places, invitations, waiting list, sessions"
    ),
    "sessions:session_run": Budget("facilitator", _to("sessions:session_run", "group_session"), 10, "the register"),
    "sessions:checkin_list_facilitator": Budget(
        "facilitator", _to("sessions:checkin_list_facilitator"), 6, "check-ins"
    ),
    "sessions:checkin_book_for": Budget(
        "facilitator", _to("sessions:checkin_book_for", "participant"), 12, "free slots, booked check-ins"
    ),
    "sessions:availability": Budget(
        "facilitator", _to("sessions:availability"), 13, "weekly windows, one-off slots, days off"
    ),
    "sessions:calendar_feed": Budget(None, lambda world: world.feed.get_absolute_url(), 4, "sessions and check-ins"),
    "measures:risk_alert_list": Budget("facilitator", _to("measures:risk_alert_list"), 4, "open risk alerts"),
    "measures:cohort_results": Budget("facilitator", _to("measures:cohort_results", "cohort"), 9, "places by scores"),
    "measures:cohort_evaluation": Budget(
        "facilitator", _to("measures:cohort_evaluation", "cohort"), 10, "scores, attendance", totals_only=True
    ),
    "measures:cohort_evaluation_csv": Budget(
        "facilitator", _to("measures:cohort_evaluation_csv", "cohort"), 9, "scores, attendance", totals_only=True
    ),
    "measures:cohort_research_csv": Budget(
        "facilitator", _to("measures:cohort_research_csv", "cohort"), 7, "responses"
    ),
    "measures:measure_list": Budget("facilitator", _to("measures:measure_list"), 5, "measures and their versions"),
    "programmes:programme_list": Budget(
        "facilitator", _to("programmes:programme_list"), 4, "programmes, cohorts using each"
    ),
    "programmes:programme_detail": Budget(
        "facilitator",
        _to("programmes:programme_detail", "long_programme"),
        6,
        "session plans with their material counts and agenda minutes",
    ),
    "programmes:session_plan_detail": Budget(
        "facilitator", _to("programmes:session_plan_detail", "session_plan"), 6, "agenda rows, materials"
    ),
    "programmes:session_plan_edit": Budget(
        "facilitator", _to("programmes:session_plan_edit", "session_plan"), 6, "agenda rows, materials (formsets)"
    ),
    "programmes:programme_export": Budget(
        "facilitator", _to("programmes:programme_export", "long_programme"), 8, "session plans, agenda, materials"
    ),
}

ONE_OBJECT = "one object's page or form: its size does not grow with the service's data"
POST_ONLY = "POST only: an action that redirects"

EXEMPT: dict[str, str] = {
    # Fixed pages, redirects and sign-in.
    "home": "a redirect to the role's home",
    "health": "a fixed JSON check of the services",
    "favicon": "a static file",
    "bench_floor": "a fixed page for bench/load.py, only when STEADY_BENCH_FLOOR is set",
    "login": "a form",
    "login_code": "a form",
    "logout": POST_ONLY,
    "password_change": "a form",
    "password_change_done": "a fixed page",
    "password_reset": "a form",
    "password_reset_done": "a fixed page",
    "password_reset_confirm": "a form for one secret link",
    "password_reset_complete": "a fixed page",
    "accounts:no_role": "a fixed page",
    "accounts:line_manager_confirm": "a form for one secret link",
    "accounts:two_factor_setup": "a form for the person's own device",
    "accounts:two_factor_policy": "a form: one choice per role",
    "reminders:preferences": "a form: one choice per reminder kind (a fixed registry)",
    "reminders:unsubscribe": "a form for one secret link",
    "reminders:operations_retry": POST_ONLY,
    # The service lead's forms.
    "facilitation:crisis_contact_remove": POST_ONLY,
    "facilitation:person_erase": "a form about one person",
    # Protected time: one request's forms and actions.
    "facilitation:protected_time_comment": POST_ONLY,
    "facilitation:protected_time_bulk_approve": POST_ONLY,
    "facilitation:protected_time_delegation_end": POST_ONLY,
    "facilitation:line_manager_confirm": POST_ONLY,
    "facilitation:protected_time_participant_submit": POST_ONLY,
    "facilitation:protected_time_participant_withdraw": POST_ONLY,
    "facilitation:protected_time_facilitator_submit": POST_ONLY,
    "facilitation:protected_time_record_external": ONE_OBJECT,
    # Questionnaires: one measure, one response.
    "measures:measure_detail": "one measure: its items are fixed by the instrument (tests/measures/test_views.py)",
    "measures:measure_import": "a form",
    "measures:item_risk_flag": POST_ONLY,
    "measures:response_begin": ONE_OBJECT,
    "measures:response_answer": ONE_OBJECT,
    "measures:response_review": "one response: its items are fixed by the instrument",
    "measures:response_done": ONE_OBJECT,
    "measures:response_submit": POST_ONLY,
    "measures:response_correct": POST_ONLY,
    "measures:risk_alert_acknowledge": ONE_OBJECT,
    # Programmes: one plan, one pack, one material, forms.
    "programmes:programme_create": "a form",
    "programmes:programme_import": "a form",
    "programmes:programme_edit": ONE_OBJECT,
    "programmes:programme_duplicate": POST_ONLY,
    "programmes:programme_new_version": POST_ONLY,
    "programmes:programme_publish": POST_ONLY,
    "programmes:programme_retire": "a confirmation for one programme",
    "programmes:information_pack_preview": "one pack: one section per topic, a fixed list",
    "programmes:information_pack_edit": ONE_OBJECT,
    "programmes:agenda_row_add": "a fragment: one empty agenda row",
    "programmes:agenda_row_remove": "a fragment: one removed agenda row",
    "programmes:material_detail": ONE_OBJECT,
    "programmes:material_download": "one file",
    # Sessions: one cohort's forms, one session's actions, one place, one check-in.
    "sessions:cohort_create": "a form",
    "sessions:cohort_edit": ONE_OBJECT,
    "sessions:cohort_status": POST_ONLY,
    "sessions:cohort_invite": POST_ONLY,
    "sessions:enrolment_action": POST_ONLY,
    "sessions:enrolment_withdraw": "a confirmation for one place",
    "sessions:enrolment_pack": "one place's information pack",
    "sessions:enrolment_leave": "a confirmation for one place",
    "sessions:enrolment_not_for_me": POST_ONLY,
    "sessions:enrolment_hour_reminder": POST_ONLY,
    "sessions:invitation_accept": "a form for one secret link",
    "sessions:invitation_not_for_me": POST_ONLY,
    "sessions:apologies_send": POST_ONLY,
    "sessions:apologies_withdraw": POST_ONLY,
    "sessions:attendance_mark": POST_ONLY,
    "sessions:session_notes": POST_ONLY,
    "sessions:session_hold": POST_ONLY,
    "sessions:checkin_offers_make": POST_ONLY,
    "sessions:session_reschedule": "a form for one session",
    "sessions:session_cancel": "a form for one session",
    "sessions:session_ics": "one session's calendar entry",
    "sessions:material_detail": ONE_OBJECT,
    "sessions:material_file": "one file",
    "sessions:calendar_feed_rotate": POST_ONLY,
    "sessions:availability_add": POST_ONLY,
    "sessions:availability_remove": POST_ONLY,
    "sessions:checkin_detail": ONE_OBJECT,
    "sessions:checkin_offer": ONE_OBJECT,
    "sessions:checkin_cancel": "a confirmation for one check-in",
    "sessions:checkin_place": POST_ONLY,
    "sessions:checkin_ics": "one check-in's calendar entry",
    "sessions:help_request_handle": POST_ONLY,
}

# Named only when a setting turns them on: not an error when absent.
CONDITIONAL = {"bench_floor"}
