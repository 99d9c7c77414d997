"""Reliability drills: real Redis (a server of the test's own), real workers, a local SMTP sink.

The engine's settings and processes are in ``tests.reminders.drills``; the drills of
per-message outcomes, slow servers and .ics-carrying kinds are in ``test_delivery``.
Every drill ends with: each reminder received, and received once (the SIGKILL drill
allows the one message that may be in flight).
"""

from __future__ import annotations

import signal
import time

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from reminders.models import Reminder
from reminders.services.scheduling import notify_now, reminder_schedule
from tests.factories import ParticipantFactory
from tests.reminders.drills import all_delivered, logs, people
from tests.reminders.factories_reminders import due_reminders
from tests.support.redis_server import publishing_to
from tests.support.worker import wait_for

pytestmark = [
    pytest.mark.reminders,
    pytest.mark.services,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_postgres", "require_redis"),
]


def test_worker_killed_mid_run_loses_nothing_and_sends_once(engine, sink) -> None:
    rows = due_reminders(people(50), per_recipient=20)
    assert len(rows) == 1000
    first = engine("w1")
    second = engine("w2")
    beat = engine("beat", command="beat")
    wait_for(lambda: sink.count >= 250, timeout=60, message="a quarter of the reminders to arrive")
    first.kill(signal.SIGKILL)
    killed_at = sink.count
    first.start()
    wait_for(all_delivered(sink, rows), timeout=90, message="every reminder to be delivered")
    duplicates = sink.duplicates()
    assert killed_at < 1000, "the kill came after the run had finished"
    assert set(sink.counts()) == {row.pk for row in rows}
    # At most the one message the killed worker had handed to SMTP but not yet recorded.
    assert sum(n - 1 for n in duplicates.values()) <= 1, duplicates
    if duplicates:
        assert "again after their lease" in logs(first, second, beat)
    assert not Reminder.objects.exclude(status=Reminder.Status.SENT).exists()


def test_redis_killed_mid_run_every_reminder_arrives_within_two_minutes_of_its_return(engine, own_redis, sink) -> None:
    """With the default lease: the batches queued in the lost Redis come back after one lease, not ten minutes."""
    rows = due_reminders(people(30), per_recipient=20)
    workers = [engine(name, STEADY_REMINDER_LEASE_SECONDS=None) for name in ("w1", "w2")]
    engine("beat", command="beat", STEADY_REMINDER_LEASE_SECONDS=None)
    wait_for(lambda: sink.count >= 150, timeout=60, message="some reminders to arrive")
    own_redis.stop()
    stopped_at = sink.count
    # A real outage: the workers notice that the broker is gone (and the queue in it, nothing persisted).
    wait_for(
        lambda: all("Connection to broker lost" in worker.log() for worker in workers),
        timeout=60,
        message="the workers to lose the broker",
    )
    own_redis.start()
    returned = time.monotonic()
    wait_for(all_delivered(sink, rows), timeout=120, message="every reminder within 2 minutes of Redis's return")
    assert time.monotonic() - returned < 120
    assert stopped_at < len(rows)
    assert sink.duplicates() == {}
    assert set(sink.counts()) == {row.pk for row in rows}


@pytest.mark.urls("tests.reminders.urls_booking")
def test_booking_while_redis_is_down_succeeds_and_its_reminder_goes_out_later(engine, own_redis, sink) -> None:
    person = ParticipantFactory(line_manager=None)
    own_redis.stop()
    with publishing_to(own_redis.url()):
        started = time.monotonic()
        response = Client().post(f"/book/{person.pk}/")
        took = time.monotonic() - started
    assert response.status_code == 201
    assert took < 10
    [row] = Reminder.objects.filter(recipient=person)
    assert row.status == Reminder.Status.PENDING
    own_redis.start()
    engine("w1")
    engine("beat", command="beat")
    wait_for(lambda: row.pk in sink.counts(), timeout=60, message="the booking's reminder to be delivered")
    assert sink.counts() == {row.pk: 1}


def test_smtp_refusing_for_a_while_backs_off_then_delivers_everything(engine, sink) -> None:
    rows = due_reminders(people(20), per_recipient=10)
    sink.stop()  # connections are refused from now on
    engine("w1")
    engine("beat", command="beat")
    wait_for(
        lambda: Reminder.objects.filter(attempts__gte=2).count() == len(rows),
        timeout=60,
        message="every reminder to have been tried twice",
    )
    waiting = Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__gt=timezone.now()).count()
    assert sink.count == 0
    sink.start()
    wait_for(all_delivered(sink, rows), timeout=60, message="every reminder once the sink accepts again")
    assert sink.duplicates() == {}
    assert waiting > 0  # they were waiting out their backoff, not retried in a tight loop
    assert not Reminder.objects.filter(status=Reminder.Status.FAILED).exists()
    # Each was refused at least once, and the reason was kept.
    assert not Reminder.objects.filter(last_error="").exists()
    assert Reminder.objects.filter(last_error__contains="Could not connect").exists()


def test_rolled_back_transaction_sends_nothing(engine, sink) -> None:
    person, other = people(2)
    engine("w1")
    engine("beat", command="beat")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_now(kind="test_urgent", recipient=person, subject=person, context={"title": "Never"})
        raise RuntimeError("the booking failed")
    # A reminder committed afterwards is delivered: by then the rolled-back one would have been too.
    control = reminder_schedule(kind="test_urgent", recipient=other, subject=other, due_at=timezone.now())
    wait_for(lambda: control.pk in sink.counts(), timeout=60, message="the committed reminder")
    assert sink.counts() == {control.pk: 1}
    assert not Reminder.objects.filter(recipient=person).exists()


def test_two_beats_at_once_still_send_each_reminder_once(engine, sink) -> None:
    engine("w1")
    engine("w2")
    first = engine("beat1", command="beat")
    second = engine("beat2", command="beat")
    # Both beats are dispatching (every second) before the reminders fall due, so they race for them:
    # the engine sends 500 reminders faster than a second beat takes to start.
    wait_for(
        lambda: "reminders_dispatch" in first.log() and "reminders_dispatch" in second.log(),
        timeout=30,
        message="both beats to dispatch",
    )
    rows = due_reminders(people(25), per_recipient=20)
    wait_for(all_delivered(sink, rows), timeout=60, message="every reminder with two beats running")
    assert sink.duplicates() == {}
