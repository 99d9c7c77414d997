"""Issue 13, point 10: the audit trail records reads and changes (who, what, when, from where), is append-only,
and the service lead searches it on a page that shows no clinical content."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import Error, connection, transaction
from django.urls import reverse

from core.models import AccessLog
from sessions.services.checkins import checkin_record
from sessions.services.enrolments import enrolment_withdraw
from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory
from tests.privacy.conftest import SLOT

pytestmark = [pytest.mark.privacy, pytest.mark.django_db]

CANARY = "canary-audit-7f3a"
AUDIT = reverse("facilitation:audit_log")


def held(world) -> None:
    with time_machine.travel(SLOT + datetime.timedelta(hours=1), tick=False):
        checkin_record(
            actor=world.facilitator,
            checkin=world.checkin,
            status="held",
            notes=f"{CANARY} notes",
            follow_up_actions="",
            shared_summary="",
        )


def test_a_read_records_the_address_the_request_came_from(client, world):
    held(world)
    client.force_login(world.facilitator)
    client.get(world.checkin.get_absolute_url(), REMOTE_ADDR="203.0.113.9")
    read = AccessLog.objects.get(action="view", record_type="group_sessions.CheckIn")
    assert (read.actor, read.subject, read.address) == (world.facilitator, world.participant, "203.0.113.9")


def test_changes_to_places_and_clinical_records_are_recorded_without_their_text(world):
    held(world)
    enrolment_withdraw(enrolment=world.enrolment, reason=f"{CANARY} reason", by=world.participant)
    changes = AccessLog.objects.exclude(action="view")
    kinds = {(row.record_type, row.action, row.actor_id, row.subject_id) for row in changes}
    assert ("group_sessions.CheckIn", "booked", world.participant.pk, world.participant.pk) in kinds
    assert ("group_sessions.CheckIn", "recorded", world.facilitator.pk, world.participant.pk) in kinds
    assert ("group_sessions.Enrolment", "withdrawn", world.participant.pk, world.participant.pk) in kinds
    recorded = changes.get(action="recorded", record_type="group_sessions.CheckIn")
    assert "notes" in recorded.detail  # which fields changed...
    assert not any(CANARY in row.detail for row in AccessLog.objects.all())  # ...never what they say


def test_a_change_outside_a_request_has_no_address(world):
    enrolment_withdraw(enrolment=world.enrolment, reason="", by=world.participant)
    assert AccessLog.objects.get(action="withdrawn").address is None


@pytest.mark.services
def test_the_database_refuses_to_change_or_delete_an_audit_row(require_postgres, world):
    row = AccessLog.objects.filter(subject=world.participant).first()
    assert row is not None
    for statement in (
        "UPDATE core_accesslog SET detail = 'x' WHERE id = %s",
        "DELETE FROM core_accesslog WHERE id = %s",
    ):
        with pytest.raises(Error, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [row.pk])
    with pytest.raises(Error, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    assert AccessLog.objects.filter(pk=row.pk, detail=row.detail).exists()


def test_no_admin_changes_or_deletes_an_audit_row(client, world, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@example.org", password="x", first_name="Root")
    row = AccessLog.objects.first()
    client.force_login(root)
    assert client.post(reverse("admin:core_accesslog_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:core_accesslog_change", args=[row.pk]), {"detail": "x"}).status_code == 403
    changelist = client.get(reverse("admin:core_accesslog_changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    assert AccessLog.objects.filter(pk=row.pk, detail=row.detail).exists()


@pytest.mark.parametrize("role", ["participant", "facilitator", "manager"])
def test_only_the_service_lead_reaches_the_audit_page(client, world, role):
    client.force_login(
        {"participant": ParticipantFactory, "facilitator": FacilitatorFactory, "manager": ManagerFactory}[role]()
    )
    assert client.get(AUDIT).status_code == 403


def test_the_audit_page_signs_out_visitors_in(client, db):
    assert client.get(AUDIT).status_code == 302


def test_the_lead_searches_by_person_record_type_and_dates_and_sees_no_clinical_content(client, world):
    held(world)
    client.force_login(world.facilitator)
    client.get(world.checkin.get_absolute_url())
    client.force_login(world.lead)
    page = client.get(AUDIT, {"person": world.facilitator.email, "record_type": "group_sessions.CheckIn"})
    body = page.content.decode()
    rows = list(page.context["page"].object_list)
    assert rows and all(world.facilitator.pk in (row.actor_id, row.subject_id) for row in rows)
    assert {row.record_type for row in rows} == {"group_sessions.CheckIn"}
    assert CANARY not in body
    assert "<table" in body and 'scope="col"' in body
    assert client.get(AUDIT, {"date_to": "2000-01-01"}).context["page"].paginator.count == 0
    everything = client.get(AUDIT).context["page"].paginator.count
    assert everything == AccessLog.objects.count() > len(rows)
    by_number = client.get(AUDIT, {"person": str(world.other_participant.pk)}).context["page"].object_list
    assert all(world.other_participant.pk in (row.actor_id, row.subject_id) for row in by_number)


@pytest.mark.parametrize("size", [3, 60])
def test_the_audit_page_makes_the_same_queries_at_any_size(client, world, size, django_assert_num_queries):
    AccessLog.objects.bulk_create(
        AccessLog(
            actor=world.facilitator, subject=world.participant, record_type="group_sessions.CheckIn", record_id="1"
        )
        for _ in range(size)
    )
    client.force_login(world.lead)
    # session, user, record types, count, the bell's unread count, the page's rows (actor and subject
    # joined): the same at 3 rows and 60.
    with django_assert_num_queries(6):
        page = client.get(AUDIT, {"page": 1})
    assert len(page.context["page"].object_list) == min(AccessLog.objects.count(), 50)
