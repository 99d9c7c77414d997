"""Every form of Steady, driven with hypothesis through the view that uses it, as the role that may use it
(issue 13, build 13): no submission makes a server error, and a submission the form refuses writes nothing.

The oracle is the form itself: during each request every ``is_valid()`` call is recorded, and when a form of
the submission was refused, the row count of every Steady table must be what it was before. Each example
runs inside a savepoint that is rolled back, so one small world serves all of a form's examples.
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from importlib import import_module
from typing import Any

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts import forms as account_forms
from accounts.line_managers import _token_hash
from accounts.models import LineManagerRequest
from accounts.services import two_factor_device_confirm, two_factor_key_new
from facilitation import forms as pt_forms
from facilitation.views.crisis_contacts import CrisisContactForm
from measures import forms as measure_forms
from measures.models import Item, Measure, RiskAlert
from measures.services import measures_load_builtin, response_answer, response_start, response_submit
from programmes import forms as programme_forms
from programmes.selectors import information_pack_current
from reminders import forms as reminder_forms
from reminders.selectors import preference_kinds_for
from sessions import forms as session_forms
from sessions.models import HelpRequest
from sessions.services.checkins import checkin_book
from sessions.services.invitations import enrolment_invite
from tests.facilitation.factories_protected_time import submitted
from tests.factories import ServiceLeadFactory, programme_with_plans
from tests.measures.builders import scheduled_cohort
from tests.sessions.factories_checkins import cohort_with_people, weekly_window

pytestmark = [
    pytest.mark.privacy,
    pytest.mark.django_db,
    pytest.mark.skipif(
        "postgresql" in django_settings.DATABASES["default"]["ENGINE"],
        reason="fuzzes forms and views, not the database: runs in the embedded (SQLite) suite only",
    ),
]

# At least 200 per form (issue 13); STEADY_FUZZ_EXAMPLES may ask for more, never fewer.
EXAMPLES = max(200, int(os.environ.get("STEADY_FUZZ_EXAMPLES", "200")))
PASSWORD = "a long passphrase 1"
BUILT_AT = datetime.datetime(2026, 6, 1, 7, tzinfo=UTC)  # a Monday; the world's dates hang from it
SLOT = datetime.datetime(2026, 6, 8, 8, tzinfo=UTC)
LM_TOKEN = "line-manager-link-token-for-the-fuzzed-world"
# Tables whose rows a refused submission must leave alone: Steady's own, and the authenticator devices.
WATCHED_APPS = {"accounts", "core", "reminders", "programmes", "group_sessions", "measures", "facilitation", "otp_totp"}
# The access log records reads: a refused form shown again with a check-in's notes is a read, and logged.
UNWATCHED_TABLES = {"core_accesslog"}

JUNK = st.sampled_from(
    ["", " ", "\x00", "0", "-1", "1e9", "99999999999999999999", "NaN", "2026-02-30", "25:99", "a" * 300,
     "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "%00", "\u202e", "😀"]
)  # fmt: skip


class LeanClient(Client):
    """The test client without its bookkeeping of every template rendered and its context.

    That bookkeeping copies the context of each of the many templates a crispy form renders, and was most
    of a fuzzed request's time. A server error comes back as the 500 page here, which the test refuses.
    """

    def request(self, **request: Any) -> Any:
        response = self.handler(self._base_environ(**request))
        if response.cookies:
            self.cookies.update(response.cookies)
        return response


# ---- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    people: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    with time_machine.travel(BUILT_AT, tick=False):
        cohort, facilitator, (amara, ben) = cohort_with_people(participants=2, start_date=datetime.date(2026, 6, 15))
        weekly_window(facilitator, weekday=0, start="09:00", end="11:00", minutes=30)
        checkin = checkin_book(
            actor=amara, participant=amara, facilitator=facilitator, cohort=cohort, kind="pre_group", starts_at=SLOT
        )
        pt_request = submitted()
        with_code = ben
        key = two_factor_key_new()
        from django_otp.oath import totp  # noqa: PLC0415 - only this world needs a code

        two_factor_device_confirm(user=with_code, key=key, token=f"{totp(bytes.fromhex(key)):06d}")
    for person in (amara, ben, facilitator):
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    programme = programme_with_plans(weeks=2, boosters=0)
    # Made today, so the invitation is still open.
    # (the group's second week is held by now: the facilitator gives a reason to invite anyway).
    invite = enrolment_invite(
        cohort=cohort, email="new.person@hospital.example", by=facilitator, reason="Known to the team", send_email=False
    )
    help_request = HelpRequest.objects.create(participant=amara, cohort=cohort, message="")
    # A line manager named by Ben, with a link token known here (the real one is only in the email).
    LineManagerRequest.objects.create(
        staff_member=ben, email="nia.manager@hospital.example", first_name="Nia", token_hash=_token_hash(LM_TOKEN)
    )
    alert = _risk_alert(facilitator)
    people = {
        "anonymous": None,
        "participant": amara,
        "other_participant": ben,
        "facilitator": facilitator,
        "manager": pt_request.enrolment.participant.line_manager,
        "lead": ServiceLeadFactory(),
        "request_facilitator": pt_request.enrolment.cohort.facilitators.first(),
        "pt_participant": pt_request.enrolment.participant,
    }
    objects = {
        "cohort": cohort,
        "enrolment": cohort.enrolments.get(participant=amara),
        "group_session": cohort.group_sessions.order_by("starts_at").first(),
        "checkin": checkin,
        "pt_request": pt_request,
        "invite_token": invite.token,
        "programme": programme,
        "plan": programme.session_plans.order_by("pk").first(),
        "pack": information_pack_current(programme=programme),
        "unshipped_measure": Measure.objects.filter(wording_shipped=False).order_by("pk").first(),
        "risk_alert": alert,
        "help_request": help_request,
    }
    return World(people=people, objects=objects)


def _risk_alert(facilitator: Any) -> RiskAlert:
    """Every shipped measure loaded, and one open risk alert on a cohort ``facilitator`` runs."""
    measures = {measure.code: measure for measure, _state in measures_load_builtin()}
    cohort, (person,) = scheduled_cohort(measures, facilitators=[facilitator], participants=1, codes=("phq-9",))
    response = response_start(
        measure=measures["phq-9"], participant=person, cohort=cohort, time_point="baseline", by=person
    )
    for item in Item.objects.filter(measure=measures["phq-9"]).order_by("number"):
        response_answer(response=response, item=item, value=1, by=person)
    response_submit(response=response, by=person)
    return RiskAlert.objects.get(response=response)


# ---- strategies from a form's own fields -----------------------------------------------------------


def _choice_values(f: forms.ChoiceField) -> list[str]:
    values = []
    for value, label in f.choices:
        if isinstance(label, (list, tuple)):  # an optgroup
            values += [str(v) for v, _l in label]
        elif value not in ("", None):
            values.append(str(getattr(value, "value", value)))
    return values or [""]


def value_strategy(f: forms.Field) -> st.SearchStrategy:
    """Plausible values for a field, mixed with junk (and, by the caller, left out altogether)."""
    if isinstance(f, forms.FileField):
        return st.binary(max_size=200).map(lambda data: SimpleUploadedFile("upload.yaml", data))
    if isinstance(f, forms.BooleanField):
        return st.sampled_from(["on", "", "false", "1"])
    if isinstance(f, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.lists(st.one_of(st.sampled_from(_choice_values(f)), JUNK), max_size=3)
    if isinstance(f, forms.ChoiceField | forms.ModelChoiceField):
        return st.one_of(st.sampled_from(_choice_values(f)), JUNK)
    if isinstance(f, forms.IntegerField):
        return st.one_of(st.integers(-10, 400).map(str), st.integers(-(2**70), 2**70).map(str), JUNK)
    if isinstance(f, forms.DateField):
        dates = st.dates(datetime.date(2019, 1, 1), datetime.date(2031, 12, 31))
        return st.one_of(dates.map(datetime.date.isoformat), JUNK)
    if isinstance(f, forms.TimeField):
        return st.one_of(st.times().map(lambda t: t.strftime("%H:%M")), JUNK)
    if isinstance(f, forms.EmailField):
        people = ["amara@hospital.example", "new.person@hospital.example", "someone@elsewhere.example"]
        return st.one_of(st.sampled_from(people), st.text(max_size=30), JUNK)
    if isinstance(f, forms.URLField):
        return st.one_of(st.sampled_from(["https://example.org/a", "javascript:alert(1)", "ftp://x"]), JUNK)
    longest = getattr(f, "max_length", None) or 60
    return st.one_of(st.text(max_size=min(longest + 5, 80)), JUNK)


def data_strategy(fields: dict[str, forms.Field], fixed: dict[str, Any] | None = None) -> st.SearchStrategy:
    drawn = {name: st.one_of(st.none(), value_strategy(f)) for name, f in fields.items()}
    return st.fixed_dictionaries(drawn).map(
        lambda data: {**{k: v for k, v in data.items() if v is not None}, **(fixed or {})}
    )


def prefixed(form_class: type[forms.Form], prefix: str) -> dict[str, forms.Field]:
    return {f"{prefix}-{name}": f for name, f in form_class.base_fields.items()}


# ---- every form, where it is posted, as whom ------------------------------------------------------


@dataclass(frozen=True)
class Target:
    form: str  # the form class's dotted name, for the report
    role: str
    url: Callable[[World], str]
    fields: Callable[[World], dict[str, forms.Field]]
    fixed: Callable[[World], dict[str, Any]] = lambda w: {}
    prepare: Callable[[Client, World], None] | None = None  # run once, before the examples
    fresh_client: bool = False  # signing in changes the client: give each example a new one
    few_values: bool = False  # only a few distinct submissions exist (tick boxes): hypothesis tries them all
    method: str = "post"  # "get" for a search form


def _fields(form: forms.BaseForm) -> dict[str, forms.Field]:
    return dict(form.fields)


def _ob(name: str) -> Callable[[World], Any]:
    return lambda w: w.objects[name]


def _pk_url(url_name: str, name: str, **more: Any) -> Callable[[World], str]:
    return lambda w: reverse(url_name, kwargs={"pk": w.objects[name].pk, **more})


def _start_code_step(client: Client, world: World) -> None:
    client.post(reverse("login"), {"username": world.people["other_participant"].email, "password": PASSWORD})


def _open_reset_link(client: Client, world: World) -> None:
    person = world.people["other_participant"]
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(person)})
    )


def _reset_url(world: World) -> str:
    uid = urlsafe_base64_encode(force_bytes(world.people["other_participant"].pk))
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": "set-password"})


def _plan_fields(world: World) -> dict[str, forms.Field]:
    plan = world.objects["plan"]
    return {
        **_fields(programme_forms.SessionPlanForm(instance=plan)),
        **prefixed(programme_forms.AgendaItemForm, "agenda-0"),
        "agenda-0-DELETE": forms.BooleanField(),
        **prefixed(programme_forms.MaterialForm, "materials-0"),
        "materials-0-DELETE": forms.BooleanField(),
    }


TARGETS = [
    # accounts
    Target("accounts.LoginForm", "anonymous", lambda w: reverse("login"),
           lambda w: _fields(account_forms.LoginForm()), fresh_client=True),
    Target("accounts.PasswordResetForm", "anonymous", lambda w: reverse("password_reset"),
           lambda w: _fields(account_forms.PasswordResetForm())),
    Target("accounts.SetPasswordForm", "anonymous", _reset_url,
           lambda w: _fields(account_forms.SetPasswordForm(w.people["other_participant"])), prepare=_open_reset_link),
    Target("accounts.PasswordChangeForm", "participant", lambda w: reverse("password_change"),
           lambda w: _fields(account_forms.PasswordChangeForm(w.people["participant"]))),
    Target("accounts.TwoFactorCodeForm (sign-in)", "anonymous", lambda w: reverse("login_code"),
           lambda w: _fields(account_forms.TwoFactorCodeForm()), prepare=_start_code_step),
    Target("accounts.TwoFactorCodeForm (setup)", "participant", lambda w: reverse("accounts:two_factor_setup"),
           lambda w: _fields(account_forms.TwoFactorCodeForm()),
           prepare=lambda c, w: c.get(reverse("accounts:two_factor_setup"))),
    Target("accounts.TwoFactorPolicyForm", "lead", lambda w: reverse("accounts:two_factor_policy"),
           lambda w: _fields(account_forms.TwoFactorPolicyForm()), few_values=True),
    # reminders
    Target("reminders.PreferencesForm", "participant", lambda w: reverse("reminders:preferences"),
           lambda w: _fields(reminder_forms.PreferencesForm(kinds=preference_kinds_for(w.people["participant"])))),
    Target("reminders.RetryForm", "lead", lambda w: reverse("reminders:operations_retry"),
           lambda w: _fields(reminder_forms.RetryForm())),
    # programmes
    Target("programmes.ProgrammeForm (new)", "facilitator", lambda w: reverse("programmes:programme_create"),
           lambda w: _fields(programme_forms.ProgrammeForm())),
    Target("programmes.ProgrammeForm (edit)", "facilitator", _pk_url("programmes:programme_edit", "programme"),
           lambda w: _fields(programme_forms.ProgrammeForm(instance=w.objects["programme"]))),
    Target("programmes.SessionPlanForm + AgendaItemForm + MaterialForm", "facilitator",
           _pk_url("programmes:session_plan_edit", "plan"), _plan_fields,
           fixed=lambda w: {"agenda-INITIAL_FORMS": "0", "materials-INITIAL_FORMS": "0",
                            "agenda-TOTAL_FORMS": "1", "materials-TOTAL_FORMS": "1"}),
    Target("programmes.InformationPackForm", "facilitator", _pk_url("programmes:information_pack_edit", "programme"),
           lambda w: _fields(programme_forms.InformationPackForm(pack=w.objects["pack"]))),
    Target("programmes.ProgrammeImportForm", "facilitator", lambda w: reverse("programmes:programme_import"),
           lambda w: _fields(programme_forms.ProgrammeImportForm())),
    # sessions
    Target("sessions.CohortForm", "facilitator", lambda w: reverse("sessions:cohort_create"),
           lambda w: _fields(session_forms.CohortForm())),
    Target("sessions.CohortUpdateForm", "facilitator", _pk_url("sessions:cohort_edit", "cohort"),
           lambda w: _fields(session_forms.CohortUpdateForm())),
    Target("sessions.InviteForm", "facilitator", _pk_url("sessions:cohort_invite", "cohort"),
           lambda w: _fields(session_forms.InviteForm())),
    Target("sessions.InvitationAcceptForm", "anonymous",
           lambda w: reverse("sessions:invitation_accept", kwargs={"token": w.objects["invite_token"]}),
           lambda w: _fields(session_forms.InvitationAcceptForm()), fresh_client=True),
    Target("sessions.AvailabilityWindowForm", "facilitator",
           lambda w: reverse("sessions:availability_add", kwargs={"kind": "window"}),
           lambda w: _fields(session_forms.AvailabilityWindowForm())),
    Target("sessions.AvailabilitySlotForm", "facilitator",
           lambda w: reverse("sessions:availability_add", kwargs={"kind": "slot"}),
           lambda w: _fields(session_forms.AvailabilitySlotForm())),
    Target("sessions.BlockedDateForm", "facilitator",
           lambda w: reverse("sessions:availability_add", kwargs={"kind": "blocked"}),
           lambda w: _fields(session_forms.BlockedDateForm())),
    Target("sessions.CheckinBookForm", "participant", lambda w: reverse("sessions:checkin_book"),
           lambda w: {**_fields(session_forms.CheckinBookForm()),
                      "slot": forms.ChoiceField(choices=[(f"{w.people['facilitator'].pk}:{SLOT.isoformat()}", "")])}),
    Target("sessions.CheckinRecordForm", "facilitator", _pk_url("sessions:checkin_detail", "checkin"),
           lambda w: _fields(session_forms.CheckinRecordForm())),
    Target("sessions.HelpRequestForm", "participant", lambda w: reverse("sessions:help_request_create"),
           lambda w: {**_fields(session_forms.HelpRequestForm()),
                      "cohort": forms.ChoiceField(choices=[(w.objects["cohort"].pk, "")])}),
    Target("sessions.RescheduleForm", "facilitator", _pk_url("sessions:session_reschedule", "group_session"),
           lambda w: _fields(session_forms.RescheduleForm())),
    Target("sessions.CancelForm", "facilitator", _pk_url("sessions:session_cancel", "group_session"),
           lambda w: _fields(session_forms.CancelForm())),
    Target("sessions.GroupNotesForm", "facilitator", _pk_url("sessions:session_notes", "group_session"),
           lambda w: _fields(session_forms.GroupNotesForm())),
    Target("sessions.WithdrawForm (participant)", "participant", _pk_url("sessions:enrolment_leave", "enrolment"),
           lambda w: _fields(session_forms.WithdrawForm())),
    Target("sessions.WithdrawForm (facilitator)", "facilitator", _pk_url("sessions:enrolment_withdraw", "enrolment"),
           lambda w: _fields(session_forms.WithdrawForm())),
    # facilitation
    Target("facilitation.ProtectedTimeDecisionForm", "manager",
           _pk_url("facilitation:protected_time_decide", "pt_request"),
           lambda w: _fields(pt_forms.ProtectedTimeDecisionForm(
               line_choices=[(line.pk, str(line.pk)) for line in w.objects["pt_request"].lines.all()]))),
    Target("facilitation.ProtectedTimeCommentForm", "manager",
           _pk_url("facilitation:protected_time_comment", "pt_request"),
           lambda w: _fields(pt_forms.ProtectedTimeCommentForm())),
    Target("facilitation.ProtectedTimeBulkApproveForm", "manager",
           lambda w: reverse("facilitation:protected_time_bulk_approve"),
           lambda w: _fields(pt_forms.ProtectedTimeBulkApproveForm(
               request_choices=[(w.objects["pt_request"].pk, "")]))),
    Target("facilitation.ProtectedTimeExternalForm", "request_facilitator",
           _pk_url("facilitation:protected_time_record_external", "pt_request"),
           lambda w: _fields(pt_forms.ProtectedTimeExternalForm())),
    Target("facilitation.ProtectedTimeDelegationForm", "manager",
           lambda w: reverse("facilitation:protected_time_delegations"),
           lambda w: _fields(pt_forms.ProtectedTimeDelegationForm())),
    # measures
    Target("measures.ItemFileForm", "lead", _pk_url("measures:measure_import", "unshipped_measure"),
           lambda w: _fields(measure_forms.ItemFileForm())),
    Target("measures.AcknowledgeForm", "facilitator", _pk_url("measures:risk_alert_acknowledge", "risk_alert"),
           lambda w: _fields(measure_forms.AcknowledgeForm())),
    # what safety and polish-b brought
    Target("sessions.CheckinPlaceForm", "participant", _pk_url("sessions:checkin_place", "checkin"),
           lambda w: _fields(session_forms.CheckinPlaceForm())),
    Target("sessions.HelpRequestHandleForm", "facilitator", _pk_url("sessions:help_request_handle", "help_request"),
           lambda w: _fields(session_forms.HelpRequestHandleForm())),
    Target("sessions.GoAheadForm", "facilitator", _pk_url("sessions:cohort_invite", "cohort"),
           lambda w: {**_fields(session_forms.InviteForm()), **_fields(session_forms.GoAheadForm())}),
    Target("accounts.LineManagerNameForm", "pt_participant",
           _pk_url("facilitation:protected_time_participant", "pt_request"),
           lambda w: _fields(account_forms.LineManagerNameForm())),
    Target("accounts.LineManagerPasswordForm", "anonymous",
           lambda w: reverse("accounts:line_manager_confirm", kwargs={"token": LM_TOKEN}),
           lambda w: _fields(account_forms.LineManagerPasswordForm()), fresh_client=True),
    Target("facilitation.CrisisContactForm", "lead", lambda w: reverse("facilitation:crisis_contacts"),
           lambda w: _fields(CrisisContactForm())),
    # data rights and the audit trail
    Target("facilitation.AuditSearchForm", "lead", lambda w: reverse("facilitation:audit_log"),
           lambda w: _fields(pt_forms.AuditSearchForm(record_types=["group_sessions.CheckIn"])), method="get"),
    Target("facilitation.PersonEraseForm", "lead", lambda w: reverse("facilitation:person_erase"),
           lambda w: {**_fields(pt_forms.PersonEraseForm()),
                      "person": forms.ChoiceField(choices=[(w.people["other_participant"].pk, "")])},
           few_values=True),
]  # fmt: skip

# Forms posted only through the admin site (Django's own admin pages, not Steady's views): not fuzzed here.
ADMIN_ONLY_FORMS = {"accounts.UserCreationForm", "accounts.UserChangeForm"}
# Forms fuzzed as part of another target's page: the session plan page posts these as its two formsets.
FUZZED_WITHIN = {"programmes.AgendaItemForm", "programmes.MaterialForm"}
STEADY_APPS = ("accounts", "core", "reminders", "programmes", "sessions", "measures", "facilitation")


def _steady_form_classes() -> set[str]:
    """Every concrete form class defined in a Steady app's modules, as ``app.ClassName``."""
    found: set[str] = set()
    pending = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        app = cls.__module__.split(".")[0]
        if app in STEADY_APPS and cls.__module__.split(".")[-1] != "admin" and not cls.__name__.startswith("Base"):
            found.add(f"{app}.{cls.__name__}")
    return found


def test_every_form_of_steadys_is_fuzzed() -> None:
    """A new form must join TARGETS (or, if only the admin posts it, ADMIN_ONLY_FORMS)."""
    for app in STEADY_APPS:
        import_module(f"{app}.forms")
    fuzzed = {target.form.split(" ")[0] for target in TARGETS}
    assert _steady_form_classes() - fuzzed - ADMIN_ONLY_FORMS - FUZZED_WITHIN == set()


# ---- the oracle --------------------------------------------------------------------------------------


def _count_sql() -> str:
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in WATCHED_APPS
        and model._meta.managed
        and model._meta.db_table not in UNWATCHED_TABLES
    )
    return " UNION ALL ".join(f"SELECT '{table}', COUNT(*) FROM {connection.ops.quote_name(table)}" for table in tables)


def _counts(sql: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


class _Verdicts:
    """Record every ``is_valid()`` answer given while a request runs (forms and formsets alike)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answers: list[bool] = []
        for cls in (forms.BaseForm, forms.BaseFormSet):
            original = cls.is_valid

            def recorded(form: Any, _original: Callable = original) -> bool:
                answer = _original(form)
                self.answers.append(answer)
                return answer

            monkeypatch.setattr(cls, "is_valid", recorded)


RAN: dict[str, tuple[int, float]] = {}


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Any:
    """One world for every form, built once and rolled back at the end (each test's own transaction,
    and each example's savepoint, nest inside this one)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.mark.parametrize("target", TARGETS, ids=[t.form for t in TARGETS])
def test_fuzzed_submissions_never_break_and_refused_ones_write_nothing(
    target: Target, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql = _count_sql()
    person = world.people[target.role]
    client = LeanClient()
    if person is not None:
        client.force_login(person)
    if target.prepare:
        target.prepare(client, world)
    url = target.url(world)
    verdicts = _Verdicts(monkeypatch)
    seen = {"examples": 0, "refused": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples on every run: a failure is found again, the run time is steady
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=data_strategy(target.fields(world), target.fixed(world)))
    def submit(data: dict[str, Any]) -> None:
        seen["examples"] += 1
        poster = LeanClient() if target.fresh_client else client
        with transaction.atomic():
            before = _counts(sql)
            verdicts.answers.clear()
            response = getattr(poster, target.method)(url, data)
            refused = False in verdicts.answers
            after = _counts(sql) if refused else before
            transaction.set_rollback(True)
        assert response.status_code < 500
        if refused:
            seen["refused"] += 1
            assert after == before, {t: (before[t], after[t]) for t in before if before[t] != after[t]}

    started = time.perf_counter()
    submit()
    RAN[target.form] = (seen["examples"], time.perf_counter() - started)
    assert seen["examples"] >= EXAMPLES or target.few_values
    assert seen["refused"] > 0  # the fuzzing reached the form's checks
