"""Delivery drills: what the mail server says about one message stays with that message.

Real workers, a Redis server of the drill's own and a local SMTP sink that can refuse an
address (5xx for good, 4xx for a while) or answer slowly (``tests.support.smtp``).
"""

from __future__ import annotations

import re
import signal

import pytest
from django.test import Client
from django.utils import timezone

from reminders.models import Reminder
from reminders.registry import all_kinds
from reminders.samples import sample_context
from tests.factories import ParticipantFactory, ServiceLeadFactory, cohort_with_sessions
from tests.reminders.drills import all_delivered, logs, people
from tests.reminders.factories_reminders import due_reminders
from tests.support.worker import wait_for

pytestmark = [
    pytest.mark.reminders,
    pytest.mark.services,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("require_postgres", "require_redis"),
]


def settled(rows: list[Reminder]):
    """True once no row is pending or sending any more."""
    ids = [row.pk for row in rows]
    return lambda: not Reminder.objects.filter(id__in=ids, status__in=["pending", "sending"]).exists()


def test_one_refused_recipient_among_500_fails_alone_and_every_other_message_goes_at_first_attempt(
    engine, sink
) -> None:
    # The refused person's one reminder sits in the middle of a batch (batches of 50, in id order).
    rows = [*due_reminders(people(25), per_recipient=11), *due_reminders(people(1))]
    bad = rows[-1]
    rows += due_reminders(people(14), per_recipient=16)
    assert len(rows) == 500 and rows[275] == bad
    sink.handler.refuse(bad.recipient.email, "550 5.1.1 No such user here")
    engine("w1")
    engine("w2")
    engine("beat", command="beat")
    wait_for(settled(rows), timeout=90, message="every reminder to be sent or failed")
    bad.refresh_from_db()
    assert bad.status == Reminder.Status.FAILED
    assert bad.attempts == 1  # a permanent refusal is not tried again
    assert bad.last_error == (f"The mail server refused the address {bad.recipient.email}: 550 5.1.1 No such user here")
    others = Reminder.objects.exclude(pk=bad.pk)
    assert others.count() == 499
    assert set(others.values_list("status", "attempts", "last_error")) == {("sent", 0, "")}
    assert sink.counts() == {row.pk: 1 for row in rows if row.pk != bad.pk}


def test_a_5xx_fails_at_once_and_a_4xx_backs_off_alone_then_goes(engine, sink) -> None:
    # Two people with one reminder each, in the middle of the batch of 50.
    rows = [*due_reminders(people(3), per_recipient=10), *due_reminders(people(1))]
    rows += [*due_reminders(people(2), per_recipient=10), *due_reminders(people(1))]
    rows += due_reminders(people(2), per_recipient=10)
    refused, busy = rows[30], rows[51]
    sink.handler.refuse(refused.recipient.email, "554 5.7.1 Delivery not authorized")
    sink.handler.refuse(busy.recipient.email, "451 4.3.0 Mailbox busy, try later", times=2)
    engine("w1")
    engine("beat", command="beat")
    wait_for(settled(rows), timeout=90, message="every reminder to be sent or failed")
    refused.refresh_from_db()
    busy.refresh_from_db()
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert "554 5.7.1 Delivery not authorized" in refused.last_error
    # Deferred twice on its own schedule, then accepted; its last refusal is kept for the record.
    assert (busy.status, busy.attempts) == ("sent", 2)
    assert busy.last_error.startswith(f"The mail server could not take the address {busy.recipient.email} for now")
    others = Reminder.objects.exclude(pk__in=[refused.pk, busy.pk])
    assert set(others.values_list("status", flat=True)) == {"sent"}
    assert sink.duplicates() == {}
    # The service lead reads the refusal on the operations page, in words.
    client = Client()
    client.force_login(ServiceLeadFactory())
    page = client.get("/reminders/operations/").content.decode()
    assert f"The mail server refused the address {refused.recipient.email}" in page


def test_a_slow_server_means_fewer_messages_per_task_never_a_duplicate(engine, sink) -> None:
    sink.handler.delay = 0.2  # before each reply to MAIL FROM, RCPT TO and the end of DATA
    rows = due_reminders(people(6), per_recipient=10)
    # A 20-second budget (the soft time limit): replies are awaited 1 s at most, and a sender takes
    # messages for 11 s, about 18 of them here; a batch of 50 would take some 30 s.
    workers = [engine(name, STEADY_REMINDER_SEND_SECONDS="20") for name in ("w1", "w2")]
    engine("beat", command="beat", STEADY_REMINDER_SEND_SECONDS="20")
    wait_for(all_delivered(sink, rows), timeout=120, message="every reminder from the slow server")
    assert sink.duplicates() == {}
    worker_logs = logs(*workers)
    assert "SoftTimeLimitExceeded" not in worker_logs
    assert "TimeLimitExceeded" not in worker_logs
    # Fewer messages per task: batches were given back part-sent and taken by later tasks.
    assert len(re.findall(r"reminders_send\[[^\]]+\] succeeded", worker_logs)) >= 4
    assert not Reminder.objects.filter(attempts__gt=0).exists()


def test_every_kind_arrives_once_under_a_worker_kill_with_the_session_ics_attached(engine, sink) -> None:
    """Every registered kind, the .ics-carrying session kinds (a slower message path) among them."""
    sink.handler.keep_raw = True
    session = cohort_with_sessions().group_sessions.order_by("starts_at").first()
    recipients = [ParticipantFactory(line_manager=None) for _ in range(8)]
    kinds = [kind.code for kind in all_kinds()]
    # What the apps store with their rows (names, counts, labels); the session kinds add the session's own.
    stored_context = {key: value for key, value in sample_context().items() if key != "group_session"}
    stored_context.update(title="Tomorrow at one", body="See you there.")
    rows = Reminder.objects.bulk_create(
        Reminder(
            kind=code,
            recipient=person,
            subject_type=session._meta.label_lower,
            subject_id=str(session.pk),
            occurrence=f"drill-{n}",
            due_at=timezone.now(),
            context=stored_context,
        )
        for code in kinds
        for person in recipients
        for n in range(5)
    )
    first = engine("w1")
    engine("w2")
    engine("beat", command="beat")
    wait_for(lambda: sink.count >= len(rows) // 4, timeout=60, message="a quarter of the reminders to arrive")
    first.kill(signal.SIGKILL)
    killed_at = sink.count
    first.start()
    wait_for(all_delivered(sink, rows), timeout=120, message="every reminder of every kind")
    assert killed_at < len(rows)
    duplicates = sink.duplicates()
    assert sum(n - 1 for n in duplicates.values()) <= 1, duplicates
    sent_kinds = set(Reminder.objects.filter(status="sent").values_list("kind", flat=True))
    assert sent_kinds == set(kinds)
    with sink.handler.lock:
        with_calendar = sum(1 for raw in sink.handler.raw if b"text/calendar" in raw)
    session_rows = [row for row in rows if row.kind.startswith("session_")]
    assert session_rows
    assert with_calendar >= len(session_rows)
