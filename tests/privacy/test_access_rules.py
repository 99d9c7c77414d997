"""Object permissions as named predicates (issue 13, build 7): every view guarded; predicates and querysets agree.

The predicates (django-rules), each defined once:

- ``sessions.rules.is_cohort_facilitator`` (user, cohort) and ``is_cohort_participant`` (user, cohort: a place in
  ``Enrolment.PLACE_STATUSES``); their queryset mirrors ``cohort_facilitator_q`` / ``cohort_participant_q`` and
  ``cohort_access_annotations`` (the facts fetched with an object, so the access selectors decide through the
  predicate at no extra query);
- ``facilitation.rules.is_manager_or_deputy`` (user, participant): their line manager, or that manager's deputy
  today; its mirror is the inbox's ``line_manager_id__in=decides_for_ids(user)``;
- ``accounts.rules.is_service_lead`` (a role) and ``is_the_person`` (user, person: "the participant's own").

The first test reads every view of the urlconf: a view is guarded by a role or rule decorator
(``accounts.decorators``; ``steady_rule`` marks it), or is in ``SIGNED_IN`` or ``PUBLIC`` with its reason; and a
view whose URL names an object calls an access selector (``*_get_for_*`` and the few named in
``ACCESS_SELECTORS``), itself or in a helper of its module, or is in ``OBJECT_EXCEPTIONS`` with its reason.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, path

from facilitation.models import ProtectedTimeRequest
from facilitation.rules import decides_for_ids, is_manager_or_deputy
from facilitation.selectors.protected_time import protected_time_manager_ids_for
from sessions.models import Cohort
from sessions.rules import (
    cohort_access_annotations,
    cohort_access_remember,
    cohort_facilitator_q,
    cohort_participant_q,
    is_cohort_facilitator,
    is_cohort_participant,
)
from tests.support.world import build_world

pytestmark = [pytest.mark.privacy]

# Views with no role: any signed-in person, about themselves only (no object of anyone else in the URL).
SIGNED_IN = {
    "home": "sends each person to their role's home page",
    "accounts:no_role": "what a person with no role sees",
    "accounts:two_factor_setup": "the person's own two-step sign-in",
    "password_change": "the person's own password (Django's view, login_required)",
    "password_change_done": "Django's view, login_required",
    "facilitation:my_data": "the person's own data (data rights)",
    "facilitation:my_data_json": "the person's own data (data rights)",
    "reminders:preferences": "the person's own reminder preferences",
    "reminders:notifications": "the person's own notifications",
    "sessions:calendar_feed_rotate": "the person's own calendar address",
    # Deciding protected time is for line managers and today's deputies (who may hold no role): each of these
    # reads decides_for_ids once (_manager_ids_or_403) and refuses with 403 anyone who decides for nobody.
    "facilitation:protected_time_inbox": "manager or deputy: _manager_ids_or_403",
    "facilitation:protected_time_decide": "manager or deputy: _manager_ids_or_403, then the decider's selector",
    "facilitation:protected_time_comment": "manager or deputy: _manager_ids_or_403, then the decider's selector",
    "facilitation:protected_time_bulk_approve": "manager or deputy: _manager_ids_or_403; the service decides each",
    "facilitation:protected_time_history": "manager or deputy: _manager_ids_or_403",
    "facilitation:line_manager_confirm": "the named manager (by email) or the lead: the two access selectors",
}

# Views anyone may ask for, signed in or not.
PUBLIC = {
    "health": "the load balancer's health check",
    "favicon": "a redirect to the static icon",
    "login": "signing in",
    "login_code": "the second step of signing in",
    "logout": "signing out",
    "password_reset": "asking for a reset link",
    "password_reset_done": "Django's page",
    "password_reset_confirm": "the reset link: its signed token is the access",
    "password_reset_complete": "Django's page",
    "accounts:line_manager_confirm": "the manager's one-use link: its token is the access",
    "reminders:unsubscribe": "the email's signed unsubscribe link",
    "sessions:calendar_feed": "the calendar address: its secret token is the access",
    "sessions:invitation_accept": "the invitation link: its secret token is the access",
    "sessions:invitation_not_for_me": "the invitation link: its secret token is the access",
}

# Access selectors not named *_get_for_*: each takes the user and raises 404 when the object is not theirs.
ACCESS_SELECTORS = {
    "due_questionnaire",  # the participant's questionnaire due now in a cohort where they hold a place
    "response_to_answer",  # is_the_person and is_cohort_participant
    "risk_alert_for_facilitator",  # is_cohort_facilitator
    "cohort_for_results",  # is_cohort_facilitator, or is_service_lead
    "programme_get",  # the library: every programme is shared by all who may use it (programmes.use_library)
    "session_plan_get",  # the library, as above
    "participant_get_in_session",  # the mirror of is_cohort_participant(participant, cohort)
}

# Views whose URL names something without an access selector, and why that is right.
OBJECT_EXCEPTIONS = {
    "measures:measure_detail": "the register of measures is the service's, shown to every facilitator and the lead",
    "measures:measure_import": "the register, the lead only (the role decides)",
    "measures:item_risk_flag": "the register, the lead only (the role decides)",
    "facilitation:crisis_contact_edit": "the service's crisis contacts, the lead only (the role decides)",
    "facilitation:crisis_contact_remove": "the service's crisis contacts, the lead only (the role decides)",
    "sessions:availability_add": "`kind` is a word (window, slot, blocked), not an object",
    "sessions:availability_remove": "the service removes only among the facilitator's own rows (its own scope)",
}


def _patterns(patterns: list, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            yield from _patterns(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _source_with_helpers(view: Callable) -> str:
    """The view's source, and that of each private helper of its module it calls (one level)."""
    function = inspect.unwrap(view)
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return ""
    module: ModuleType | None = inspect.getmodule(function)
    for name in set(re.findall(r"\b(_\w+)\(", source)):
        helper = getattr(module, name, None)
        if inspect.isfunction(helper):
            source += inspect.getsource(helper)
    return source


def calls_access_selector(view: Callable) -> bool:
    source = _source_with_helpers(view)
    named = set(re.findall(r"\b(\w+)\(", source))
    return any("_get_for_" in name for name in named) or bool(named & ACCESS_SELECTORS)


def unguarded(name: str, pattern: URLPattern) -> list[str]:
    """What is wrong with one URL's view (an empty list when it is guarded as the rules say)."""
    view = pattern.callback
    problems = []
    if not getattr(view, "steady_rule", None) and name not in SIGNED_IN and name not in PUBLIC:
        problems.append(f"{name}: no role_required/rule_required, and not listed in SIGNED_IN or PUBLIC")
    names_object = bool(pattern.pattern.regex.groupindex)
    if names_object and name not in PUBLIC and name not in OBJECT_EXCEPTIONS and not calls_access_selector(view):
        problems.append(f"{name}: its URL names an object but the view calls no access selector")
    return problems


def test_every_view_is_guarded_and_every_object_view_calls_an_access_selector() -> None:
    patterns = dict(_patterns(get_resolver().url_patterns))
    problems = [problem for name, pattern in sorted(patterns.items()) for problem in unguarded(name, pattern)]
    stale = sorted((set(SIGNED_IN) | set(PUBLIC) | set(OBJECT_EXCEPTIONS)) - set(patterns))
    assert not problems, "\n".join(problems)
    assert not stale, f"listed but no longer URL names: {stale}"


def test_the_scanner_flags_a_view_without_a_guard_or_a_selector() -> None:
    def bare(request, pk):  # no decorator, no selector
        return None

    def guarded(request, pk):
        return cohort_get_for_facilitator(user=request.user, pk=pk)  # noqa: F821 - only read, never run

    guarded.steady_rule = "accounts.act_as_facilitator"
    assert len(unguarded("bare", path("<int:pk>/", bare, name="bare"))) == 2
    assert unguarded("guarded", path("<int:pk>/", guarded, name="guarded")) == []


# --- predicates and their querysets agree ---------------------------------------------------------------


@pytest.mark.django_db
def test_each_predicate_agrees_with_its_queryset_mirror_on_the_world(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    cohorts = [world.objects["cohort"], world.objects["other_cohort"]]
    people = [person for person in world.people.values() if person is not None]
    participants = [world.people[role] for role in ("participant", "same_cohort", "elsewhere")]
    seen = {"facilitator": set(), "participant": set(), "decider": set()}
    with world.clock():
        for user in people:
            for cohort in cohorts:
                fresh = Cohort.objects.get(pk=cohort.pk)
                facilitates = is_cohort_facilitator(user, fresh)
                takes_part = is_cohort_participant(user, fresh)
                assert facilitates == Cohort.objects.filter(cohort_facilitator_q(user), pk=cohort.pk).exists()
                assert takes_part == Cohort.objects.filter(cohort_participant_q(user), pk=cohort.pk).exists()
                # The facts fetched with an object give the same answers, with no query.
                row = Cohort.objects.annotate(**cohort_access_annotations(user)).get(pk=cohort.pk)
                cohort_access_remember(row=row, cohort=row, user=user)
                assert (is_cohort_facilitator(user, row), is_cohort_participant(user, row)) == (facilitates, takes_part)
                seen["facilitator"].add(facilitates)
                seen["participant"].add(takes_part)
            ids = protected_time_manager_ids_for(user=user)
            assert ids == decides_for_ids(user)
            for participant in participants:
                decides = is_manager_or_deputy(user, participant)
                scoped = ProtectedTimeRequest.objects.filter(
                    enrolment__participant=participant, enrolment__participant__line_manager_id__in=ids
                ).exists()
                assert decides == scoped, (user, participant)
                seen["decider"].add(decides)
        deputy = world.people["deputy"]
        assert is_manager_or_deputy(deputy, world.people["participant"])
        assert not is_manager_or_deputy(deputy, world.people["same_cohort"])
    # Each predicate said yes and no on the world, so agreeing meant something.
    assert seen == {"facilitator": {True, False}, "participant": {True, False}, "decider": {True, False}}
