"""Check-ins against the real services: the double-booking race on PostgreSQL, help requests through a worker."""

from __future__ import annotations

import datetime
import threading
from datetime import timedelta
from email import message_from_string
from email.header import decode_header, make_header

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from reminders.models import Reminder
from sessions.models import CheckIn, HelpRequest
from sessions.scheduling import local_to_utc
from sessions.services.checkins import SlotTaken, checkin_book
from sessions.services.help_requests import help_request_create
from tests.factories import FacilitatorFactory
from tests.sessions.factories_checkins import cohort_with_people, weekly_window
from tests.support.worker import wait_for

pytestmark = [pytest.mark.checkins]


def run_together(*calls) -> list[str]:
    """Run the calls in threads released at the same instant; return each one's outcome."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(index: int, call) -> None:
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "ok"
        except SlotTaken:
            outcomes[index] = "taken"
        except IntegrityError:
            outcomes[index] = "refused"
        except OperationalError as error:
            # Two uncommitted rows that conflict under an exclusion constraint wait on each other;
            # PostgreSQL breaks the tie by aborting one. Either way the database refused it.
            outcomes[index] = "refused" if "deadlock" in str(error) else f"error: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def race_world(db):
    cohort, facilitator, people = cohort_with_people(participants=2)
    day = timezone.localdate() + timedelta(days=7)
    weekly_window(facilitator, weekday=day.weekday(), start="09:00", end="12:00", minutes=30)
    return cohort, facilitator, people, day


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_bookings_of_one_slot_give_one_check_in_and_one_refusal(require_postgres, race_world):
    cohort, facilitator, (amara, ben), day = race_world
    for round_number in range(5):
        starts = local_to_utc(day, datetime.time(9 + round_number // 2, 30 * (round_number % 2)), "Europe/London")

        def booking(person, starts=starts):
            return lambda: checkin_book(
                actor=person,
                participant=person,
                facilitator=facilitator,
                cohort=cohort,
                kind="on_request",
                starts_at=starts,
            )

        outcomes = run_together(booking(amara), booking(ben))
        assert sorted(outcomes) == ["ok", "taken"], outcomes
        assert CheckIn.objects.filter(facilitator=facilitator, starts_at=starts, status="booked").count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_exclusion_constraint_settles_overlapping_inserts_that_skip_the_service(require_postgres, race_world):
    cohort, facilitator, (amara, ben), day = race_world
    starts = local_to_utc(day, datetime.time(9), "Europe/London")

    def insert(person, offset: int):
        def call():
            with transaction.atomic():
                CheckIn.objects.create(
                    cohort=cohort,
                    facilitator=facilitator,
                    participant=person,
                    kind="on_request",
                    starts_at=starts + timedelta(minutes=offset),
                    ends_at=starts + timedelta(minutes=offset + 30),
                )

        return call

    outcomes = run_together(insert(amara, 0), insert(ben, 15))
    assert sorted(outcomes) == ["ok", "refused"], outcomes
    assert CheckIn.objects.count() == 1


def help_request_through_worker(celery_processes, tmp_path) -> None:
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    celery_processes(
        "checkins-worker",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
    )
    cohort, facilitator, (amara,) = cohort_with_people(participants=1)
    cofacilitator = FacilitatorFactory()
    cohort.facilitators.add(cofacilitator)

    request = help_request_create(participant=amara, cohort=cohort, message="Could we talk this week?")

    wait_for(
        lambda: Reminder.objects.filter(kind="help_requested", status="sent").count() == 2,
        timeout=60,
        message="the worker to send both facilitators the help request",
    )
    # The engine sends a batch over one connection: the file backend writes one file per connection,
    # with the messages separated by a line of 79 dashes.
    messages = [
        message_from_string(part.strip("\n") + "\n")
        for path in mail_dir.iterdir()
        for part in path.read_text().split("-" * 79)
        if part.strip()
    ]
    assert sorted(m["To"] for m in messages) == sorted([facilitator.email, cofacilitator.email])
    for message in messages:
        subject = str(make_header(decode_header(message["Subject"])))
        assert subject == "Staff wellbeing group: a member of your group would like a word"
        body = message.get_payload(0).get_payload(decode=True).decode()
        assert amara.first_name in body and "therapy" not in body.lower()
    sent = Reminder.objects.filter(kind="help_requested")
    assert all(r.sent_at - request.created_at < timedelta(minutes=1) for r in sent)
    assert HelpRequest.objects.get().status == "open"  # stays until a facilitator handles it


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_help_request_reaches_facilitators_through_a_real_worker_over_embedded_broker(
    celery_processes, purge_broker, tmp_path, settings
):
    if settings.REDIS_URL:
        pytest.skip("the embedded-broker run is for make test; the services suite runs the Redis one")
    help_request_through_worker(celery_processes, tmp_path)


@pytest.mark.services
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_help_request_reaches_facilitators_through_a_real_worker_over_redis(
    require_postgres, require_redis, celery_processes, purge_broker, tmp_path
):
    help_request_through_worker(celery_processes, tmp_path)
