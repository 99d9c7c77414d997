"""Issue 13, point 11: a person downloads what Steady holds about them (only theirs), the service lead erases
a person (identity and clinical records go, the figures stay), and the retention purge clears old notes."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from config.celery_app import app as celery_app
from core.models import AccessLog
from core.personal_data import handlers, models_with_personal_data
from facilitation.services.data_rights import person_erase
from measures.models import Answer, Response
from measures.services import measures_load_builtin
from sessions.models import Attendance, CheckIn, Cohort, Enrolment, HelpRequest
from sessions.services.attendance import attendance_record
from sessions.services.checkins import checkin_record
from sessions.services.enrolments import enrolment_withdraw
from sessions.services.help_requests import help_request_create
from tests.factories import FacilitatorFactory
from tests.privacy.conftest import SLOT

pytestmark = [pytest.mark.privacy, pytest.mark.django_db]

CANARY = "canary-rights-91c2"
MY_DATA = reverse("facilitation:my_data")
MY_DATA_JSON = reverse("facilitation:my_data_json")
ERASE = reverse("facilitation:person_erase")


def test_every_model_with_personal_data_is_exported_and_erased_or_says_why_not():
    """Walks the app registry: a new model with a link to a person fails here until it is handled."""
    registered = handlers()
    missing = [label for label in models_with_personal_data() if label not in registered]
    assert missing == [], f"add these to an app's personal_data.py (export and erase, or excluded=why): {missing}"
    for label, handler in registered.items():
        assert handler.export is not None, f"{label} is not exported"
        assert handler.erase is not None or len(handler.excluded) > 20, f"{label}: say why it is not erased"
    assert {"accounts.User", "group_sessions.CheckIn", "measures.Response", "core.AccessLog"} <= set(registered)


def clinical_world(world) -> dict:
    """Plant a canary in every clinical field that belongs to the participant."""
    with time_machine.travel(SLOT + datetime.timedelta(hours=1), tick=False):
        checkin_record(
            actor=world.facilitator,
            checkin=world.checkin,
            status="held",
            notes=f"{CANARY}-notes",
            follow_up_actions=f"{CANARY}-follow",
            shared_summary="",
        )
    help_request_create(participant=world.participant, cohort=world.cohort, message=f"{CANARY}-help")
    attendance_record(
        group_session=world.group_session,
        participant=world.participant,
        status="apologies",
        by=world.participant,
        note=f"{CANARY}-apology",
    )
    measure = next(m for m, _state in measures_load_builtin() if m.has_wording and m.items.exists())
    response = Response.objects.create(
        measure=measure,
        participant=world.participant,
        cohort=world.cohort,
        time_point="baseline",
        started_at=SLOT,
    )
    Answer.objects.create(response=response, item=measure.items.first(), value=2, answered_at=SLOT)
    return {"response": response}


def test_a_person_downloads_everything_steady_holds_about_them(client, world):
    clinical_world(world)
    client.force_login(world.participant)
    page = client.get(MY_DATA)
    body = page.content.decode()
    for planted in ("notes", "follow", "help", "apology"):
        assert f"{CANARY}-{planted}" in body
    assert world.participant.email in body
    assert "<table" in body and 'scope="col"' in body
    download = client.get(MY_DATA_JSON)
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "private, no-store"
    data = json.loads(download.content)
    assert data["person_id"] == world.participant.pk
    assert data["records"]["group_sessions.CheckIn"][0]["notes"] == f"{CANARY}-notes"
    assert [row["value"] for row in data["records"]["measures.Answer"]] == [2]
    assert AccessLog.objects.filter(actor=world.participant, action="export").count() == 2


@pytest.mark.parametrize("who", ["other_participant", "facilitator", "manager", "lead"])
def test_the_download_holds_only_the_downloaders_own_data(client, world, who):
    clinical_world(world)
    client.force_login(getattr(world, who))
    for url in (MY_DATA, MY_DATA_JSON):
        response = client.get(url)
        assert response.status_code == 200
        assert CANARY not in response.content.decode()
        assert world.participant.email not in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    assert client.get(MY_DATA).status_code == 302
    assert client.get(MY_DATA_JSON).status_code == 302


@pytest.mark.parametrize("who", ["participant", "facilitator", "manager"])
def test_only_the_service_lead_reaches_erasure(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(ERASE, {"email": world.other_participant.email}).status_code == 403
    assert client.post(ERASE, {"person": world.other_participant.pk, "confirm": "on"}).status_code == 403
    world.other_participant.refresh_from_db()
    assert world.other_participant.is_active


def test_a_place_in_a_running_group_must_be_withdrawn_before_erasure(client, world):
    client.force_login(world.lead)
    page = client.post(ERASE, {"person": world.participant.pk, "confirm": "on"})
    assert "Withdraw the place first" in page.content.decode()
    world.participant.refresh_from_db()
    assert world.participant.is_active


def test_the_lead_cannot_erase_themselves(client, world):
    client.force_login(world.lead)
    page = client.post(ERASE, {"person": world.lead.pk, "confirm": "on"})
    assert "cannot erase yourself" in page.content.decode()


def test_erasure_asks_for_confirmation_then_removes_identity_and_clinical_records_and_keeps_counts(client, world):
    planted = clinical_world(world)
    person = world.participant
    email = person.email
    enrolment_withdraw(enrolment=world.enrolment, reason=f"{CANARY}-reason", by=person)
    person_client = client.__class__()
    person_client.force_login(person)
    assert person_client.get(MY_DATA).status_code == 200
    log_rows = AccessLog.objects.count()
    client.force_login(world.lead)

    found = client.get(ERASE, {"email": email})
    assert found.context["found"] == person and "cannot be undone" in found.content.decode()
    unconfirmed = client.post(ERASE, {"person": person.pk})
    assert unconfirmed.status_code == 200
    person.refresh_from_db()
    assert person.email == email  # nothing happens without the confirm box

    assert client.post(ERASE, {"person": person.pk, "confirm": "on"}).status_code == 302
    person.refresh_from_db()
    assert (str(person), person.is_active, person.has_usable_password()) == ("Erased person", False, False)
    assert email not in person.email and not person.is_participant
    assert not CheckIn.objects.filter(participant=person).exists()
    assert not HelpRequest.objects.filter(participant=person).exists()
    assert not Answer.objects.filter(response__participant=person).exists()
    kept_response = Response.objects.get(pk=planted["response"].pk)  # completion counts stay
    assert kept_response.participant_id == person.pk
    enrolment = Enrolment.objects.get(pk=world.enrolment.pk)  # the place stays, without its reason
    assert (enrolment.status, enrolment.withdrawal_reason) == (Enrolment.Status.WITHDRAWN, "")
    mark = Attendance.objects.get(participant=person)
    assert (mark.status, mark.note) == ("apologies", "")
    # The audit trail keeps every row (plus the erasure), and the person now reads as erased.
    assert AccessLog.objects.count() == log_rows + 1
    erased_row = AccessLog.objects.get(action="erased")
    assert (erased_row.actor, erased_row.subject_id) == (world.lead, person.pk)
    assert str(AccessLog.objects.filter(subject=person).first().subject) == "Erased person"
    # Their signed-in session is over.
    assert person_client.get(MY_DATA).status_code == 302
    # Nothing planted is left anywhere they could download, were they to sign in again.
    assert not any(CANARY in json.dumps(rows) for rows in [h.export(person) for h in handlers().values()])


@pytest.mark.parametrize(("months_after", "purged"), [(23, False), (25, True)])
def test_purge_expired_clears_clinical_notes_and_answers_after_retention(world, settings, months_after, purged):
    planted = clinical_world(world)
    settings.STEADY_PURGE_BATCH_SIZE = 1  # every batch of one, so batching itself is exercised
    last = world.cohort.group_sessions.order_by("-local_date").first().local_date
    Cohort.objects.filter(pk=world.cohort.pk).update(status=Cohort.Status.COMPLETED)
    when = datetime.datetime.combine(last, datetime.time(12), tzinfo=datetime.UTC) + datetime.timedelta(
        days=round(months_after * 30.5)
    )
    with time_machine.travel(when, tick=False):
        call_command("purge_expired", stdout=open("/dev/null", "w"))  # noqa: SIM115
    checkin = CheckIn.objects.get(pk=world.checkin.pk)
    assert (checkin.notes == "") is purged
    assert Answer.objects.filter(response=planted["response"]).exists() is not purged
    assert HelpRequest.objects.filter(cohort=world.cohort).exists() is not purged
    assert (Attendance.objects.get(participant=world.participant).note == "") is purged
    assert Response.objects.filter(pk=planted["response"].pk).exists()  # the response row stays
    assert Enrolment.objects.filter(cohort=world.cohort).count() == 2  # places stay


def test_purge_expired_runs_weekly_from_the_beat():
    entry = celery_app.conf.beat_schedule["purge-expired"]
    assert entry["task"] == "core.tasks.purge_expired"
    assert entry["schedule"].day_of_week == {0}  # Sunday


def test_a_running_cohort_is_never_purged(world, settings):
    clinical_world(world)
    with time_machine.travel(datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC), tick=False):
        call_command("purge_expired", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert CheckIn.objects.get(pk=world.checkin.pk).notes == f"{CANARY}-notes"


def test_a_facilitators_erasure_keeps_the_participants_records(world):
    clinical_world(world)
    other = FacilitatorFactory()
    world.cohort.facilitators.add(other)
    person_erase(actor=world.lead, person=world.facilitator)
    assert CheckIn.objects.get(pk=world.checkin.pk).notes == f"{CANARY}-notes"
    assert str(CheckIn.objects.get(pk=world.checkin.pk).facilitator) == "Erased person"
