"""The enrolment life cycle: invitation, information pack, confirmation, waitlist, withdrawal, completion."""

from __future__ import annotations

import datetime
import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from core.errors import DomainError
from programmes.models import InformationPack
from reminders.models import Reminder
from sessions.models import Enrolment, Invitation
from sessions.selectors.places import cohort_pack_current
from sessions.services.cohorts import cohort_status_change, cohort_update, enrolments_complete
from sessions.services.enrolments import (
    CohortFull,
    enrolment_acknowledge,
    enrolment_confirm,
    enrolment_waitlist,
    enrolment_withdraw,
)
from sessions.services.invitations import (
    InvitationUnusable,
    enrolment_invite,
    invitation_accept,
    invitation_check,
    token_hash,
)
from sessions.services.session_reminders import session_reminders_schedule
from sessions.tasks import cohorts_complete_ended
from tests.factories import EnrolmentFactory, FacilitatorFactory, ParticipantFactory, cohort_with_sessions, enrol
from tests.support.worker import wait_for

pytestmark = [pytest.mark.cohorts]


def acknowledged(cohort, participant=None):
    enrolment = EnrolmentFactory(cohort=cohort, participant=participant or ParticipantFactory())
    return enrolment_acknowledge(enrolment=enrolment, pack=cohort_pack_current(cohort=cohort), by=enrolment.participant)


@pytest.mark.django_db
def test_invite_existing_account_creates_enrolment_and_pack_nudge(django_capture_on_commit_callbacks):
    cohort = cohort_with_sessions()
    person = ParticipantFactory()
    with django_capture_on_commit_callbacks(execute=True):
        result = enrolment_invite(cohort=cohort, email=person.email.upper(), by=cohort.facilitators.first())
    assert result.enrolment.participant == person
    assert result.enrolment.status == Enrolment.Status.INVITED
    assert result.invitation is None
    nudge = Reminder.objects.get(kind="pack_not_acknowledged", recipient=person)
    assert nudge.status == Reminder.Status.PENDING
    assert len(mail.outbox) == 1
    assert cohort.programme.neutral_label in mail.outbox[0].subject


@pytest.mark.django_db
def test_invite_new_person_stores_only_the_token_hash(django_capture_on_commit_callbacks):
    cohort = cohort_with_sessions()
    with django_capture_on_commit_callbacks(execute=True):
        result = enrolment_invite(cohort=cohort, email="new.nurse@hospital.example", by=cohort.facilitators.first())
    assert result.token and result.invitation.token_hash == token_hash(token=result.token)
    assert result.token not in result.invitation.token_hash
    assert result.token in mail.outbox[0].body
    assert not User.objects.filter(email="new.nurse@hospital.example").exists()


@pytest.mark.django_db
def test_invitation_is_single_use():
    cohort = cohort_with_sessions()
    result = enrolment_invite(cohort=cohort, email="a@hospital.example", by=cohort.facilitators.first())
    enrolment = invitation_accept(token=result.token, first_name="Ada", last_name="", password="x-long-pass-1")
    assert enrolment.participant.email == "a@hospital.example"
    assert enrolment.participant.is_participant
    with pytest.raises(InvitationUnusable, match="already been used"):
        invitation_accept(token=result.token, first_name="Eve", last_name="", password="x-long-pass-2")
    assert User.objects.filter(email="a@hospital.example").count() == 1


@pytest.mark.django_db
def test_expired_and_wrong_invitation_tokens_are_refused():
    cohort = cohort_with_sessions()
    result = enrolment_invite(cohort=cohort, email="b@hospital.example", by=cohort.facilitators.first())
    with pytest.raises(InvitationUnusable, match="not one we know"):
        invitation_check(token=result.token + "x")
    later = time_machine.travel(datetime.timedelta(days=15))
    with later, pytest.raises(InvitationUnusable, match="expired"):
        invitation_accept(token=result.token, first_name="B", last_name="", password="x-long-pass-1")
    assert not User.objects.filter(email="b@hospital.example").exists()
    assert Invitation.objects.get().used_at is None


@pytest.mark.django_db
def test_confirm_is_refused_until_the_pack_is_acknowledged():
    cohort = cohort_with_sessions()
    enrolment = EnrolmentFactory(cohort=cohort)
    with pytest.raises(DomainError, match="has not acknowledged the information pack"):
        enrolment_confirm(enrolment=enrolment, by=cohort.facilitators.first())
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.INVITED and enrolment.place_number is None


@pytest.mark.django_db
def test_acknowledge_records_version_and_cancels_nudge_then_confirm_schedules_session_reminders():
    cohort = cohort_with_sessions()
    facilitator = cohort.facilitators.first()
    person = ParticipantFactory()
    invited = enrolment_invite(cohort=cohort, email=person.email, by=facilitator).enrolment
    pack = cohort_pack_current(cohort=cohort)
    enrolment_acknowledge(enrolment=invited, pack=pack, by=person)
    invited.refresh_from_db()
    assert invited.pack_acknowledged == pack and invited.status == Enrolment.Status.ACKNOWLEDGED
    assert Reminder.objects.get(kind="pack_not_acknowledged").status == Reminder.Status.CANCELLED
    confirmed = enrolment_confirm(enrolment=invited, by=facilitator)
    assert confirmed.status == Enrolment.Status.ENROLLED and confirmed.place_number == 1
    assert confirmed.confirmed_by == facilitator
    tomorrow = Reminder.objects.filter(kind="session_tomorrow", recipient=person)
    assert tomorrow.count() == 12
    assert not Reminder.objects.filter(kind="session_in_an_hour").exists()


@pytest.mark.django_db
def test_full_cohort_refuses_then_waitlist_promotion_on_withdrawal():
    cohort = cohort_with_sessions(capacity=2)
    facilitator = cohort.facilitators.first()
    first, second = enrol(cohort), enrol(cohort)
    waiting_a, waiting_b = acknowledged(cohort), acknowledged(cohort)
    with pytest.raises(CohortFull, match="full"):
        enrolment_confirm(enrolment=waiting_a, by=facilitator)
    enrolment_waitlist(enrolment=waiting_a, by=facilitator)
    enrolment_waitlist(enrolment=waiting_b, by=facilitator)
    enrolment_withdraw(enrolment=first, reason="Night shifts this term", by=first.participant)
    waiting_a.refresh_from_db()
    waiting_b.refresh_from_db()
    first.refresh_from_db()
    assert first.status == Enrolment.Status.WITHDRAWN and first.place_number is None
    assert waiting_a.status == Enrolment.Status.ENROLLED and waiting_a.place_number == 1
    assert waiting_b.status == Enrolment.Status.WAITLISTED
    assert Reminder.objects.filter(kind="place_offered", recipient=waiting_a.participant).exists()
    assert not Reminder.objects.filter(recipient=first.participant, status=Reminder.Status.PENDING).exists()
    assert Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.ENROLLED).count() == 2
    assert second.place_number == 2


@pytest.mark.django_db
def test_completion_completes_every_enrolled_place():
    cohort = cohort_with_sessions(status="running")
    places = [enrol(cohort) for _ in range(3)]
    waiting = acknowledged(cohort)
    assert enrolments_complete(cohort=cohort, by=None) == 3
    assert set(Enrolment.objects.filter(pk__in=[p.pk for p in places]).values_list("status", flat=True)) == {
        "completed"
    }
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.ACKNOWLEDGED
    cohort.refresh_from_db()
    assert cohort.status == "completed"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_facilitators_confirming_the_last_place_at_once_give_one_place(require_postgres):
    cohort = cohort_with_sessions(capacity=3, facilitators=[FacilitatorFactory(), FacilitatorFactory()])
    enrol(cohort)
    enrol(cohort)
    contenders = [acknowledged(cohort), acknowledged(cohort)]
    facilitators = list(cohort.facilitators.all())
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def confirm(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = enrolment_confirm(enrolment=contenders[index], by=facilitators[index])
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [o for o in outcomes if isinstance(o, Enrolment)]
    losers = [o for o in outcomes if isinstance(o, CohortFull)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert "This cohort is full" in losers[0].message
    assert Enrolment.objects.filter(cohort=cohort, status="enrolled").count() == 3
    assert sorted(
        Enrolment.objects.filter(cohort=cohort).exclude(place_number=None).values_list("place_number", flat=True)
    ) == [1, 2, 3]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_database_refuses_a_second_holder_of_one_place(require_postgres):

    cohort = cohort_with_sessions(capacity=3)
    enrol(cohort, place_number=1)
    with pytest.raises(IntegrityError):
        enrol(cohort, place_number=1)


@pytest.mark.django_db
def test_completion_task_completes_only_cohorts_whose_sessions_are_behind_them():

    ended = cohort_with_sessions(
        status="running", start_date=timezone.localdate() - dt.timedelta(weeks=13), holiday_region=""
    )
    ongoing = cohort_with_sessions(status="running")
    place = enrol(ended)
    enrol(ongoing)
    assert cohorts_complete_ended() == 1
    assert cohorts_complete_ended() == 0
    place.refresh_from_db()
    ended.refresh_from_db()
    ongoing.refresh_from_db()
    assert place.status == "completed" and ended.status == "completed"
    assert ongoing.status == "running"


@pytest.mark.django_db
def test_cancelling_a_cohort_cancels_its_remaining_sessions_and_reminders():

    cohort = cohort_with_sessions()
    place = enrol(cohort)
    session_reminders_schedule(enrolment=place)
    cohort_status_change(cohort=cohort, status="cancelled", by=cohort.facilitators.first())
    assert set(cohort.group_sessions.values_list("status", "sequence")) == {("cancelled", 1)}
    assert not Reminder.objects.filter(status="pending", kind="session_tomorrow").exists()
    with pytest.raises(DomainError):
        enrolments_complete(cohort=cohort, by=None)


@pytest.mark.django_db
def test_cohort_update_refuses_fewer_places_than_confirmed_and_promotes_the_waitlist_when_it_grows():
    cohort = cohort_with_sessions(capacity=2)
    facilitator = cohort.facilitators.first()
    enrol(cohort)
    enrol(cohort)
    waiting = enrolment_waitlist(enrolment=acknowledged(cohort), by=facilitator)
    values = {"name": cohort.name, "venue": cohort.venue, "video_link": "", "facilitators": [facilitator]}
    with pytest.raises(DomainError, match="2 places are already confirmed") as refused:
        cohort_update(cohort=cohort, capacity=1, by=facilitator, **values)
    assert refused.value.field == "capacity"
    cohort_update(cohort=cohort, capacity=3, by=facilitator, **values)
    waiting.refresh_from_db()
    assert waiting.status == "enrolled" and waiting.place_number == 3


@pytest.mark.django_db
def test_a_new_venue_raises_the_sequence_of_upcoming_sessions():
    cohort = cohort_with_sessions()
    facilitator = cohort.facilitators.first()
    cohort_update(
        cohort=cohort,
        name=cohort.name,
        venue="Room 4",
        video_link="",
        capacity=cohort.capacity,
        facilitators=[facilitator],
        by=facilitator,
    )
    assert set(cohort.group_sessions.values_list("sequence", flat=True)) == {1}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_confirmation_waiting_on_an_uncommitted_last_place_gets_cohort_full(require_postgres):
    """Force the overlap: one confirmation holds the last place uncommitted while the other tries."""

    cohort = cohort_with_sessions(capacity=1)
    holder_place, contender_place = acknowledged(cohort), acknowledged(cohort)
    facilitator = cohort.facilitators.first()
    taken = threading.Event()
    outcome: dict[str, object] = {}

    def lock_waiters() -> int:
        with connection.cursor() as cursor:
            # pg_stat_activity is a per-transaction snapshot unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            return cursor.fetchone()[0]

    def holder() -> None:
        try:
            with transaction.atomic():
                enrolment_confirm(enrolment=holder_place, by=facilitator)
                taken.set()
                wait_for(lambda: lock_waiters() >= 1, timeout=20, message="the contender to wait on the place")
        finally:
            connection.close()

    def contender() -> None:
        try:
            taken.wait(timeout=20)
            enrolment_confirm(enrolment=contender_place, by=facilitator)
            outcome["result"] = "confirmed"
        except CohortFull as error:
            outcome["result"] = error.message
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=contender)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=40)
    assert str(outcome["result"]).startswith("This cohort is full")
    assert list(Enrolment.objects.filter(cohort=cohort, status="enrolled")) == [holder_place]


@pytest.mark.django_db
def test_confirm_needs_the_current_pack_version():

    cohort = cohort_with_sessions()
    enrolment = acknowledged(cohort)
    newer = InformationPack.objects.create(programme=cohort.programme, version=2, published_at=timezone.now())
    with pytest.raises(DomainError, match="earlier version of the information pack"):
        enrolment_confirm(enrolment=enrolment, by=cohort.facilitators.first())
    enrolment_acknowledge(enrolment=enrolment, pack=newer, by=enrolment.participant)
    confirmed = enrolment_confirm(enrolment=enrolment, by=cohort.facilitators.first())
    assert confirmed.status == "enrolled" and confirmed.pack_acknowledged == newer


@pytest.mark.django_db
def test_full_message_reads_right_for_a_one_place_cohort():
    cohort = cohort_with_sessions(capacity=1)
    enrol(cohort)
    waiting = EnrolmentFactory(
        cohort=cohort, status="acknowledged", pack_acknowledged=cohort.programme.information_packs.first()
    )
    with pytest.raises(CohortFull) as refused:
        enrolment_confirm(enrolment=waiting, by=cohort.facilitators.first())
    assert refused.value.message == (
        "This cohort is full: its one place is taken. Put this person on the waitlist instead."
    )
