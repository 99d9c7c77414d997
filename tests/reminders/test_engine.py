"""The reminder engine in one process: claiming, sending once, backoff, quiet hours, preferences."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from reminders.models import Reminder
from reminders.services.dispatch import reminders_claim_due, reminders_lease_renew
from reminders.services.preferences import reminder_preference_set
from reminders.services.scheduling import notify_now, reminder_schedule, reminders_cancel, reminders_move
from reminders.services.sending import REPLIES_PER_MESSAGE, SendBudget, reminders_send_batch
from reminders.tasks import reminders_dispatch
from tests.factories import ParticipantFactory
from tests.reminders.factories_reminders import due_reminders

pytestmark = [pytest.mark.reminders, pytest.mark.django_db]


def statuses() -> dict[str, int]:
    result: dict[str, int] = {}
    for status in Reminder.objects.values_list("status", flat=True):
        result[status] = result.get(status, 0) + 1
    return result


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def refused_smtp(settings):
    """Real SMTP sending to a port where nothing listens: every connection is refused."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_TIMEOUT = 2


@time_machine.travel(datetime(2026, 6, 10, 9, 0, tzinfo=UTC), tick=False)
def test_job_run_twice_sends_once(eager_celery, participant) -> None:
    due_reminders([participant], per_recipient=3)
    reminders_dispatch.delay()
    reminders_dispatch.delay()
    assert len(mail.outbox) == 3
    assert statuses() == {"sent": 3}


@time_machine.travel(datetime(2026, 6, 10, 9, 0, tzinfo=UTC), tick=False)
def test_send_task_delivered_twice_sends_each_row_once(participant) -> None:
    due_reminders([participant], per_recipient=2)
    token, ids = reminders_claim_due(limit=10)
    assert reminders_send_batch(ids=ids, token=token) == 2
    assert reminders_send_batch(ids=ids, token=token) == 0
    assert len(mail.outbox) == 2


def test_two_claims_never_share_a_row(participant) -> None:
    due_reminders([participant], per_recipient=5)
    first_token, first = reminders_claim_due(limit=3)
    second_token, second = reminders_claim_due(limit=3)
    _third_token, third = reminders_claim_due(limit=3)
    assert len(first) == 3 and len(second) == 2 and third == []
    assert not set(first) & set(second)
    assert first_token != second_token


def test_rows_not_yet_due_are_not_claimed(participant) -> None:
    due_reminders([participant], due_at=timezone.now() + timedelta(minutes=5))
    assert reminders_claim_due()[1] == []


def test_sending_row_is_claimed_again_only_after_the_lease(settings, participant) -> None:
    settings.STEADY_REMINDER_LEASE_SECONDS = 60
    due_reminders([participant])
    start = timezone.now()
    token, ids = reminders_claim_due(now=start)
    assert reminders_claim_due(now=start + timedelta(seconds=59))[1] == []
    token_again, ids_again = reminders_claim_due(now=start + timedelta(seconds=61))
    assert ids_again == ids
    # The first sender's claim is void: it sends nothing, the new holder sends once.
    assert reminders_send_batch(ids=ids, token=token) == 0
    assert reminders_send_batch(ids=ids, token=token_again) == 1
    assert len(mail.outbox) == 1


def test_sender_renews_its_lease_so_a_live_sender_keeps_its_rows(settings, participant) -> None:
    settings.STEADY_REMINDER_LEASE_SECONDS = 60
    due_reminders([participant], per_recipient=2)
    token, ids = reminders_claim_due()
    claimed_at = timezone.now() - timedelta(seconds=50)
    Reminder.objects.update(claimed_at=claimed_at)  # the claim is 50 s old
    assert reminders_lease_renew(token=token) == 2
    # Renewed: not claimable a minute after the first claim, as it would have been without the renewal.
    assert reminders_claim_due(now=claimed_at + timedelta(seconds=61))[1] == []
    assert reminders_send_batch(ids=ids, token=token) == 2


def test_sender_gives_rows_back_when_its_time_budget_is_spent(settings, participant) -> None:
    settings.STEADY_REMINDER_SEND_SECONDS = 1  # less than one slowest-possible message
    due_reminders([participant], per_recipient=2)
    token, ids = reminders_claim_due()
    assert reminders_send_batch(ids=ids, token=token) == 0
    assert statuses() == {"pending": 2}
    assert mail.outbox == []


def test_send_budget_ends_before_the_tasks_soft_time_limit(settings) -> None:
    from config.celery_app import app

    for seconds, email_timeout in [(180, 30), (20, 30), (180, 2)]:
        settings.STEADY_REMINDER_SEND_SECONDS = seconds
        settings.EMAIL_TIMEOUT = email_timeout
        budget = SendBudget.from_settings()
        slowest_message = REPLIES_PER_MESSAGE * budget.reply_timeout
        assert budget.take_seconds + slowest_message < seconds
    limits = app.conf.task_annotations["reminders.tasks.reminders_send"]
    assert limits["soft_time_limit"] == settings.STEADY_REMINDER_SEND_SECONDS
    assert limits["time_limit"] > limits["soft_time_limit"]


def test_refused_connection_backs_off_exponentially_then_fails(settings, refused_smtp, participant) -> None:
    settings.STEADY_REMINDER_MAX_ATTEMPTS = 4
    settings.STEADY_REMINDER_BACKOFF_SECONDS = 60
    settings.STEADY_REMINDER_BACKOFF_CAP_SECONDS = 150
    [row] = due_reminders([participant])
    waits = []
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _attempt in range(3):
            token, ids = reminders_claim_due()
            assert ids == [row.pk]
            reminders_send_batch(ids=ids, token=token)
            row.refresh_from_db()
            assert row.status == "pending"
            waits.append((row.due_at - timezone.now()).total_seconds())
            assert reminders_claim_due()[1] == []  # nothing before the wait is over
            traveller.move_to(row.due_at)
        token, ids = reminders_claim_due()
        reminders_send_batch(ids=ids, token=token)
    row.refresh_from_db()
    # Exponential and capped, each stretched by up to a half at random (so a group comes back apart).
    assert [base <= wait <= base * 1.5 for base, wait in zip([60, 120, 150], waits, strict=True)] == [True] * 3
    assert row.status == "failed"
    assert row.attempts == 4
    assert "Could not connect" in row.last_error


def test_unknown_kind_fails_without_blocking_the_batch(participant) -> None:
    rows = due_reminders([participant], per_recipient=2)
    Reminder.objects.filter(pk=rows[0].pk).update(kind="no_such_kind")
    token, ids = reminders_claim_due()
    assert reminders_send_batch(ids=ids, token=token) == 1
    assert statuses() == {"failed": 1, "sent": 1}


@pytest.mark.parametrize(
    ("moment", "time_zone", "held_until"),
    [
        (datetime(2026, 6, 10, 21, 30, tzinfo=UTC), "Europe/London", datetime(2026, 6, 11, 6, 0, tzinfo=UTC)),
        (datetime(2026, 12, 10, 2, 0, tzinfo=UTC), "Europe/London", datetime(2026, 12, 10, 7, 0, tzinfo=UTC)),
        (datetime(2026, 6, 11, 2, 0, tzinfo=UTC), "America/Toronto", datetime(2026, 6, 11, 11, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_hold_non_urgent_email_until_seven_local(settings, moment, time_zone, held_until) -> None:
    settings.STEADY_QUIET_HOURS = (21, 7)
    person = ParticipantFactory(time_zone=time_zone)
    with time_machine.travel(moment, tick=False):
        due_reminders([person], kind="test_notice")
        due_reminders([person], kind="test_urgent")
        token, ids = reminders_claim_due()
        assert reminders_send_batch(ids=ids, token=token) == 1
    assert [message.extra_headers["X-Steady-Reminder"] for message in mail.outbox] == [
        str(Reminder.objects.get(kind="test_urgent").pk)
    ]
    held = Reminder.objects.get(kind="test_notice")
    assert held.status == "pending"
    assert held.due_at == held_until
    assert held.attempts == 0
    with time_machine.travel(held_until, tick=False):
        token, ids = reminders_claim_due()
        assert reminders_send_batch(ids=ids, token=token) == 1


def test_outside_quiet_hours_in_the_recipients_zone_it_is_sent(settings) -> None:
    settings.STEADY_QUIET_HOURS = (21, 7)
    # 22:30 in London is 17:30 in Toronto.
    person = ParticipantFactory(time_zone="America/Toronto")
    with time_machine.travel(datetime(2026, 6, 10, 21, 30, tzinfo=UTC), tick=False):
        due_reminders([person])
        token, ids = reminders_claim_due()
        assert reminders_send_batch(ids=ids, token=token) == 1


@time_machine.travel(datetime(2026, 6, 10, 9, 0, tzinfo=UTC), tick=False)
def test_turned_off_kind_is_not_emailed_but_essential_one_is(participant) -> None:
    reminder_preference_set(user=participant, kind="test_notice", enabled=False)
    due_reminders([participant], kind="test_notice")
    due_reminders([participant], kind="test_essential")
    token, ids = reminders_claim_due()
    assert reminders_send_batch(ids=ids, token=token) == 1
    assert [message.to for message in mail.outbox] == [[participant.email]]
    assert statuses() == {"skipped": 1, "sent": 1}
    assert Reminder.objects.get(status="skipped").kind == "test_notice"


def test_rolled_back_transaction_leaves_nothing_to_send(participant) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        reminder_schedule(kind="test_notice", recipient=participant, subject=participant, due_at=timezone.now())
        raise RuntimeError("the booking failed")
    assert not Reminder.objects.exists()
    assert reminders_claim_due()[1] == []


def test_schedule_moves_pending_revives_cancelled_and_leaves_sent(participant) -> None:
    start = timezone.now() + timedelta(days=1)
    first = reminder_schedule(kind="test_notice", recipient=participant, subject=participant, due_at=start)
    later = start + timedelta(hours=2)
    again = reminder_schedule(kind="test_notice", recipient=participant, subject=participant, due_at=later)
    assert again.pk == first.pk
    first.refresh_from_db()
    assert first.due_at == later

    assert reminders_cancel(subject=participant) == 1
    reminder_schedule(kind="test_notice", recipient=participant, subject=participant, due_at=start)
    first.refresh_from_db()
    assert (first.status, first.due_at) == ("pending", start)

    Reminder.objects.filter(pk=first.pk).update(status="sent")
    reminder_schedule(kind="test_notice", recipient=participant, subject=participant, due_at=later)
    first.refresh_from_db()
    assert (first.status, first.due_at) == ("sent", start)


def test_unknown_kind_cannot_be_scheduled(participant) -> None:
    with pytest.raises(LookupError, match="register it"):
        reminder_schedule(kind="nope", recipient=participant, subject=participant, due_at=timezone.now())


def test_move_shifts_only_pending_rows(participant) -> None:
    start = timezone.now() + timedelta(days=2)
    for occurrence in ("a", "b"):
        reminder_schedule(
            kind="test_notice", recipient=participant, subject=participant, due_at=start, occurrence=occurrence
        )
    Reminder.objects.filter(occurrence="b").update(status="sent")
    moved = reminders_move(subject=participant, due_at_for=lambda row: row.due_at + timedelta(days=1))
    assert moved == 1
    assert Reminder.objects.get(occurrence="a").due_at == start + timedelta(days=1)
    assert Reminder.objects.get(occurrence="b").due_at == start


def test_notify_now_wakes_the_dispatcher_after_commit(django_capture_on_commit_callbacks, eager_celery) -> None:
    person = ParticipantFactory(time_zone="Europe/London")
    with (
        time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        notify_now(kind="test_essential", recipient=person, subject=person, context={"title": "Moved"})
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert [message.subject for message in mail.outbox] == ["Moved"]


def test_essential_kind_cannot_be_turned_off_in_the_service(participant) -> None:
    from core.errors import DomainError

    with pytest.raises(DomainError, match="cannot be turned off"):
        reminder_preference_set(user=participant, kind="test_essential", enabled=False)
    assert reminder_preference_set(user=participant, kind="test_notice", enabled=False).enabled is False


def test_only_the_service_lead_may_retry(participant) -> None:
    from core.errors import DomainError
    from reminders.services.outcomes import reminders_retry

    [row] = due_reminders([participant])
    Reminder.objects.filter(pk=row.pk).update(status="failed")
    with pytest.raises(DomainError):
        reminders_retry(by=participant)
    assert Reminder.objects.get().status == "failed"


def test_dispatch_gives_rows_back_when_the_broker_refuses(participant) -> None:
    """The test settings' broker is a dead Redis here: the claimed rows go back to pending."""
    from tests.support.redis_server import publishing_to
    from tests.support.smtp import free_port

    due_reminders([participant], per_recipient=3)
    with publishing_to(f"redis://127.0.0.1:{free_port()}/0"):
        assert reminders_dispatch() == 0
    assert statuses() == {"pending": 3}
