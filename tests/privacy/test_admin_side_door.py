"""The admin is no side door: lookups only on what it shows, clinical models for superusers only,
and nobody gives themselves a role or a cohort; changes by others are recorded and announced."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts.demo import seed as seed_people
from accounts.models import User
from core.admin import ClinicalModelAdmin, SteadyAdminMixin
from core.demo import DemoContext
from core.models import AccessLog
from reminders.models import Reminder
from reminders.tasks import reminders_dispatch
from sessions.services.cohorts import cohort_update
from tests.factories import CohortFactory, FacilitatorFactory, ServiceLeadFactory, UserFactory

pytestmark = [pytest.mark.privacy, pytest.mark.django_db]

CLINICAL = {
    "group_sessions.CheckIn",
    "group_sessions.HelpRequest",
    "group_sessions.Attendance",
    "group_sessions.BlockedDate",
    "group_sessions.GroupSession",
    "group_sessions.Enrolment",
    "group_sessions.PlaceOverride",
    "group_sessions.CheckinOffer",
    "measures.Response",
    "measures.RiskAlert",
}
HIDDEN_LOOKUPS = [
    ("group_sessions", "checkin", "notes__icontains"),
    ("group_sessions", "checkin", "notes__startswith"),
    ("group_sessions", "checkin", "follow_up_actions__startswith"),
    ("group_sessions", "checkin", "shared_summary__contains"),
    ("group_sessions", "helprequest", "message__startswith"),
    ("group_sessions", "attendance", "note__startswith"),
    ("group_sessions", "blockeddate", "reason__startswith"),
    ("group_sessions", "groupsession", "group_notes__startswith"),
    ("group_sessions", "enrolment", "withdrawal_reason__startswith"),
    ("accounts", "user", "password__startswith"),
    ("group_sessions", "checkin", "participant__password__startswith"),
    ("group_sessions", "calendarfeed", "token__startswith"),
    ("group_sessions", "invitation", "token_hash__startswith"),
]


def staff_lead() -> User:
    return ServiceLeadFactory(email="staff.lead@hospital.example", is_staff=True)


def superuser(**roles) -> User:
    return UserFactory(is_staff=True, is_superuser=True, **roles)


def change_data(response) -> dict:
    """The admin change form's current values, as the browser would post them back."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(value, datetime.datetime):
            data[f"{name}_0"], data[f"{name}_1"] = value.date().isoformat(), value.time().isoformat("seconds")
        elif isinstance(value, bool) or value is True or value is False:
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    for formset in response.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        data.update({management[f].html_name: management[f].value() for f in management.fields})
    return data


def test_every_model_admin_is_steadys_and_the_clinical_ones_are_superuser_only() -> None:
    not_steady = [m._meta.label for m, a in admin.site._registry.items() if not isinstance(a, SteadyAdminMixin)]
    steady_apps = {"accounts", "core", "reminders", "programmes", "group_sessions", "measures", "facilitation"}
    assert [label for label in not_steady if label.split(".")[0] in steady_apps] == []
    clinical = {m._meta.label for m, a in admin.site._registry.items() if isinstance(a, ClinicalModelAdmin)}
    assert clinical == CLINICAL


@pytest.mark.parametrize(("app", "model", "lookup"), HIDDEN_LOOKUPS)
def test_a_changelist_refuses_a_lookup_on_a_field_it_does_not_show(client: Client, app, model, lookup) -> None:
    client.force_login(superuser())
    response = client.get(f"/admin/{app}/{model}/", {lookup: "a"})
    assert response.status_code == 400


def test_a_changelist_still_filters_on_what_it_shows(client: Client) -> None:
    client.force_login(superuser())
    assert client.get("/admin/group_sessions/checkin/", {"status__exact": "booked"}).status_code == 200
    assert client.get("/admin/accounts/user/", {"is_facilitator__exact": "1", "q": "x"}).status_code == 200


def test_the_service_lead_is_not_a_superuser_in_the_demo_data() -> None:
    ctx = DemoContext()
    seed_people(ctx)
    lead = ctx.objects["lead"]
    assert (lead.is_service_lead, lead.is_staff, lead.is_superuser) == (True, True, False)
    assert User.objects.filter(is_superuser=True).count() == 0
    assert User.objects.create_superuser("it@hospital.example", "x").roles == ()


def test_a_staff_service_lead_manages_people_but_sees_no_clinical_model(client: Client) -> None:
    client.force_login(staff_lead())
    index = client.get("/admin/")
    assert index.status_code == 200
    listed = {m["object_name"] for app in index.context["app_list"] for m in app["models"]}
    assert {"User", "Programme"} <= listed
    assert not listed & {"CheckIn", "HelpRequest", "Attendance", "BlockedDate", "GroupSession", "Enrolment"}
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/programmes/programme/").status_code == 200
    for label in CLINICAL:
        app, model = label.lower().split(".")
        assert client.get(f"/admin/{app}/{model}/").status_code == 403, label


def test_nobody_changes_their_own_roles_in_the_admin(client: Client) -> None:
    lead = staff_lead()
    client.force_login(lead)
    url = reverse("admin:accounts_user_change", args=[lead.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for flag in ("is_participant", "is_facilitator", "is_manager", "is_service_lead", "is_staff", "is_superuser"):
        assert f'name="{flag}"' not in html
    data = change_data(page) | {"is_facilitator": "on", "is_superuser": "on"}
    client.post(url, data)
    lead.refresh_from_db()
    assert (lead.is_facilitator, lead.is_superuser) == (False, False)


def test_a_staff_lead_cannot_take_over_an_account_nor_hand_out_admin_access(client: Client) -> None:
    client.force_login(staff_lead())
    colleague = FacilitatorFactory(email="colleague@hospital.example")
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    page = client.get(url)
    html = page.content.decode()
    for name in ("is_superuser", "is_staff", "is_service_lead", "email", "groups", "user_permissions"):
        assert f'name="{name}"' not in html, name
    data = change_data(page) | {"email": "lead.owns.this@hospital.example", "is_staff": "on", "is_service_lead": "on"}
    assert client.post(url, data).status_code == 302
    colleague.refresh_from_db()
    assert (colleague.email, colleague.is_staff, colleague.is_service_lead) == (
        "colleague@hospital.example",
        False,
        False,
    )
    password = reverse("admin:auth_user_password_change", args=[colleague.pk])
    assert client.post(password, {"password1": "x-Very-long-1", "password2": "x-Very-long-1"}).status_code == 403
    root = superuser()
    assert client.post(reverse("admin:accounts_user_change", args=[root.pk]), {}).status_code == 403


@time_machine.travel(datetime.datetime(2026, 6, 2, 10, tzinfo=datetime.UTC), tick=False)  # outside quiet hours
def test_a_role_given_by_another_person_is_recorded_and_announced(client: Client, eager_celery, mailoutbox) -> None:
    lead = staff_lead()
    colleague = UserFactory(email="new.facilitator@hospital.example", first_name="Noor")
    client.force_login(lead)
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    response = client.post(url, change_data(client.get(url)) | {"is_facilitator": "on"})
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.is_facilitator
    entry = AccessLog.objects.get(subject=colleague)
    assert (entry.actor, entry.action) == (lead, "role_added")
    assert "gave you the facilitator role" in entry.detail
    notice = Reminder.objects.get(recipient=colleague, kind="access_changed")
    assert "gave you the facilitator role" in notice.context["body"]
    reminders_dispatch()
    assert [m.subject for m in mailoutbox] == ["Your access to Steady changed"]
    client.force_login(colleague)
    assert "gave you the facilitator role" in client.get(reverse("reminders:notifications")).content.decode()


def test_nobody_adds_themselves_to_a_cohort_in_the_admin(client: Client) -> None:
    root = superuser(is_facilitator=True)
    cohort = CohortFactory()
    client.force_login(root)
    url = reverse("admin:group_sessions_cohort_change", args=[cohort.pk])
    data = change_data(client.get(url))
    response = client.post(url, data | {"facilitators": [*data["facilitators"], root.pk]})
    assert response.status_code == 200
    assert "You cannot add or remove yourself here" in response.content.decode()
    assert not cohort.facilitators.filter(pk=root.pk).exists()


def test_a_cohort_facilitator_added_by_another_person_is_recorded_and_announced(client: Client) -> None:
    root = superuser()
    cohort = CohortFactory(name="Autumn group")
    joining = FacilitatorFactory()
    client.force_login(root)
    url = reverse("admin:group_sessions_cohort_change", args=[cohort.pk])
    data = change_data(client.get(url))
    response = client.post(url, data | {"facilitators": [*data["facilitators"], joining.pk]})
    assert response.status_code == 302
    assert cohort.facilitators.filter(pk=joining.pk).exists()
    entry = AccessLog.objects.get(subject=joining)
    assert (entry.actor, entry.action, entry.record_type) == (root, "facilitators_added", "group_sessions.Cohort")
    assert "added you to the facilitators of Autumn group" in entry.detail
    assert Reminder.objects.filter(recipient=joining, kind="access_changed").count() == 1


def test_the_access_log_cannot_be_changed_or_deleted_in_the_admin(client: Client) -> None:
    root = superuser()
    entry = AccessLog.objects.create(actor=root, action="view", record_type="x", record_id="1")
    client.force_login(root)
    assert client.post(reverse("admin:core_accesslog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_a_co_facilitator_added_in_the_app_is_recorded_and_announced(world) -> None:
    joining = FacilitatorFactory()
    cohort = world.cohort
    cohort_update(
        cohort=cohort,
        name=cohort.name,
        venue=cohort.venue,
        video_link=cohort.video_link,
        capacity=cohort.capacity,
        facilitators=[world.facilitator, joining],
        by=world.facilitator,
    )
    entry = AccessLog.objects.get(subject=joining)
    assert (entry.actor, entry.action) == (world.facilitator, "facilitators_added")
    assert Reminder.objects.filter(recipient=joining, kind="access_changed").count() == 1
    assert not AccessLog.objects.filter(subject=world.facilitator).exists()  # unchanged: nothing to record
