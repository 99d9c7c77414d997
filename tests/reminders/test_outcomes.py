"""Per-message outcomes: what the server says about one message settles that row alone."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator

import pytest

from reminders.models import Reminder
from reminders.services.dispatch import reminders_claim_due
from reminders.services.outcomes import refusal_of
from reminders.services.sending import reminders_send_batch
from tests.factories import ParticipantFactory
from tests.reminders.factories_reminders import due_reminders
from tests.support.smtp import SmtpSink

pytestmark = [pytest.mark.reminders]


@pytest.mark.parametrize(
    ("exc", "permanent", "reason"),
    [
        (
            smtplib.SMTPRecipientsRefused({"amara@example.org": (550, b"5.1.1 No such user")}),
            True,
            "The mail server refused the address amara@example.org: 550 5.1.1 No such user",
        ),
        (
            smtplib.SMTPRecipientsRefused({"amara@example.org": (452, b"4.2.2 Mailbox full")}),
            False,
            "The mail server could not take the address amara@example.org for now: 452 4.2.2 Mailbox full",
        ),
        (
            smtplib.SMTPSenderRefused(553, b"5.7.1 Sender not allowed", "steady@localhost"),
            True,
            "The mail server refused Steady's sender address steady@localhost: 553 5.7.1 Sender not allowed",
        ),
        (
            smtplib.SMTPDataError(554, b"5.6.0 Message rejected"),
            True,
            "The mail server refused the message to amara@example.org: 554 5.6.0 Message rejected",
        ),
    ],
)
def test_a_refusal_of_one_message_is_told_in_words(exc, permanent, reason) -> None:
    assert isinstance(exc, OSError)  # why the old "connection error" branch caught every refusal
    refusal = refusal_of(exc, recipient="amara@example.org")
    assert refusal is not None
    assert (refusal.permanent, refusal.reason) == (permanent, reason)


@pytest.mark.parametrize(
    "exc",
    [
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPConnectError(421, b"Too busy"),
        smtplib.SMTPRecipientsRefused({"amara@example.org": (421, b"4.3.2 Closing connection")}),
        ConnectionRefusedError(111, "Connection refused"),
        ConnectionResetError(104, "Connection reset by peer"),
        TimeoutError("timed out"),
    ],
)
def test_a_connection_error_is_not_a_refusal_of_the_message(exc) -> None:
    assert refusal_of(exc, recipient="amara@example.org") is None


@pytest.fixture
def smtp_sink(settings) -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_TIMEOUT = 5
        yield sink


@pytest.mark.django_db
def test_in_one_batch_a_5xx_fails_its_row_a_4xx_defers_its_row_and_the_rest_go(smtp_sink) -> None:
    rows = due_reminders([ParticipantFactory() for _ in range(5)], per_recipient=1)
    refused, busy = rows[1], rows[3]
    smtp_sink.handler.refuse(refused.recipient.email, "550 No such user")
    smtp_sink.handler.refuse(busy.recipient.email, "451 Try again later")
    token, ids = reminders_claim_due()
    assert reminders_send_batch(ids=ids, token=token) == 3
    by_id = {row.pk: row for row in Reminder.objects.all()}
    assert (by_id[refused.pk].status, by_id[refused.pk].attempts) == ("failed", 1)
    assert "refused the address" in by_id[refused.pk].last_error
    assert (by_id[busy.pk].status, by_id[busy.pk].attempts) == ("pending", 1)
    assert "451 Try again later" in by_id[busy.pk].last_error
    assert sorted(smtp_sink.counts()) == sorted(row.pk for row in rows if row.pk not in {refused.pk, busy.pk})


@pytest.mark.django_db
def test_when_the_server_hangs_up_after_a_refusal_the_batch_goes_on_over_a_new_connection(smtp_sink) -> None:
    rows = due_reminders([ParticipantFactory() for _ in range(3)], per_recipient=1)
    smtp_sink.handler.refuse(rows[0].recipient.email, "550 No such user", hang_up=True)
    token, ids = reminders_claim_due()
    assert reminders_send_batch(ids=ids, token=token) == 2
    statuses = dict(Reminder.objects.values_list("pk", "status"))
    assert statuses == {rows[0].pk: "failed", rows[1].pk: "sent", rows[2].pk: "sent"}
    assert sorted(smtp_sink.counts()) == [rows[1].pk, rows[2].pk]


@pytest.mark.django_db
def test_a_421_closing_the_connection_backs_off_the_rest_without_failing_anyone(smtp_sink) -> None:
    rows = due_reminders([ParticipantFactory() for _ in range(3)], per_recipient=1)
    smtp_sink.handler.refuse(rows[1].recipient.email, "421 4.3.2 Closing connection", times=1)
    token, ids = reminders_claim_due()
    assert reminders_send_batch(ids=ids, token=token) == 1
    after = {row.pk: row for row in Reminder.objects.all()}
    assert after[rows[0].pk].status == "sent"
    assert [(after[row.pk].status, after[row.pk].attempts) for row in rows[1:]] == [("pending", 1)] * 2
    assert after[rows[1].pk].last_error.startswith("The connection to the mail server was lost")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("require_postgres")
def test_marks_read_back_one_behind_count_only_rows_the_claim_still_holds() -> None:
    """On PostgreSQL each mark goes out at once and is read back at the next one (or at the end)."""
    from reminders.services.outcomes import SentMarks

    rows = due_reminders([ParticipantFactory()], per_recipient=3)
    token, ids = reminders_claim_due()
    Reminder.objects.filter(pk=rows[1].pk).update(claim_token="someone-else")  # claimed again meanwhile
    with SentMarks(token=token) as marks:
        assert marks.pgconn is not None  # the one-behind path, not the plain cursor
        for row_id in ids:
            marks.mark(row_id)
        assert marks.pending == ids[-1]
    assert (marks.sent, marks.pending) == (2, None)
    assert dict(Reminder.objects.values_list("pk", "status")) == {
        rows[0].pk: "sent",
        rows[1].pk: "sending",
        rows[2].pk: "sent",
    }
