"""What one attempt means for a row: sent, refused for good, tried again later; and the lead's retry."""

from __future__ import annotations

import logging
import random
import smtplib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.db.backends.postgresql.psycopg_any import is_psycopg3
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from reminders.models import Reminder
from reminders.services.scheduling import reminders_dispatch_soon

logger = logging.getLogger(__name__)

# Errors about the connection itself (refused, reset, timed out, dropped): the message is not at fault.
CONNECTION_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    OSError,
)
# "Service not available, closing channel": the server is going away, not refusing this message.
CLOSING = 421


@dataclass(frozen=True)
class Refusal:
    """The server's answer to one message: permanent (5xx) fails the row, temporary (4xx) retries it."""

    code: int
    permanent: bool
    reason: str


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def refusal_of(exc: BaseException, *, recipient: str) -> Refusal | None:
    """Return how the server refused one message, or None when ``exc`` is about the connection.

    Every SMTP refusal is also an ``OSError``, so this is asked before the connection errors are.
    The reason is written for the service lead on the operations page.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        address, (code, answer) = next(iter(exc.recipients.items()))
        what = _("the address %(address)s") % {"address": address}
    elif isinstance(exc, smtplib.SMTPSenderRefused):
        code, answer = exc.smtp_code, exc.smtp_error
        what = _("Steady's sender address %(address)s") % {"address": _text(exc.sender)}
    elif isinstance(exc, (smtplib.SMTPConnectError, smtplib.SMTPHeloError)):
        return None
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, answer = exc.smtp_code, exc.smtp_error
        what = _("the message to %(address)s") % {"address": recipient}
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        # e.g. an address that needs SMTPUTF8 on a server without it: trying again will not help.
        return Refusal(
            550, True, _("The mail server cannot take %(address)s: %(error)s") % {"address": recipient, "error": exc}
        )
    else:
        return None
    if code == CLOSING or not 400 <= code < 600:
        return None
    said = f"{code} {_text(answer)}".strip()
    if code >= 500:
        return Refusal(code, True, _("The mail server refused %(what)s: %(said)s") % {"what": what, "said": said})
    return Refusal(
        code, False, _("The mail server could not take %(what)s for now: %(said)s") % {"what": what, "said": said}
    )


def backoff(attempts: int) -> timedelta:
    """Return the wait before attempt ``attempts + 1``: exponential, capped (before jitter)."""
    seconds = settings.STEADY_REMINDER_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.STEADY_REMINDER_BACKOFF_CAP_SECONDS))


def jittered(wait: timedelta) -> timedelta:
    """``wait`` stretched by up to a half at random, so rows that failed together come back apart."""
    return wait * random.uniform(1.0, 1.5)


def quiet_hours_end(now: datetime, tz: ZoneInfo) -> datetime | None:
    """Return when quiet hours end if ``now`` falls in them in ``tz``, else None."""
    start, end = settings.STEADY_QUIET_HOURS
    local = now.astimezone(tz)
    hour = local.hour
    quiet = (hour >= start or hour < end) if start > end else (start <= hour < end)
    if not quiet:
        return None
    day = local.date() if hour < end else local.date() + timedelta(days=1)
    return datetime.combine(day, time(end), tzinfo=tz)


def reminders_retry_later(*, rows: Iterable[Reminder], token: str, error: str) -> None:
    """Record a failed attempt of each row: back off (each row on its own schedule), or fail after the last."""
    now = timezone.now()
    for row in rows:
        attempts = row.attempts + 1
        owned = Reminder.objects.filter(pk=row.pk, claim_token=token, status=Reminder.Status.SENDING)
        if attempts >= settings.STEADY_REMINDER_MAX_ATTEMPTS:
            gave_up = _("Gave up after %(count)d attempts. %(error)s") % {"count": attempts, "error": error}
            owned.update(status=Reminder.Status.FAILED, attempts=attempts, last_error=gave_up[:2000], claim_token="")
            logger.error("Reminder %s failed after %d attempts: %s", row.pk, attempts, error)
        else:
            owned.update(
                status=Reminder.Status.PENDING,
                attempts=attempts,
                last_error=error[:2000],
                due_at=now + jittered(backoff(attempts)),
                claim_token="",
                claimed_at=None,
            )


def reminder_fail(*, row: Reminder, token: str, error: str) -> None:
    """Fail one row at once (a permanent refusal, a broken template): the service lead sees ``error``."""
    Reminder.objects.filter(pk=row.pk, claim_token=token, status=Reminder.Status.SENDING).update(
        status=Reminder.Status.FAILED, attempts=row.attempts + 1, last_error=error[:2000], claim_token=""
    )


def reminder_refused(*, row: Reminder, token: str, refusal: Refusal) -> None:
    """Record the server's refusal of this row's message only: fail it (5xx) or try it again later (4xx)."""
    if refusal.permanent:
        logger.warning("The mail server refused reminder %s: %s", row.pk, refusal.reason)
        reminder_fail(row=row, token=token, error=refusal.reason)
    else:
        reminders_retry_later(rows=[row], token=token, error=refusal.reason)


# --- Marking a row sent (once per message, so kept cheap) ----------------------------------------


def reminder_mark_sent(*, row_id: int, token: str) -> bool:
    """Mark one row sent if this claim still holds it (one plain UPDATE)."""
    with SentMarks(token=token) as marks:
        marks.mark(row_id)
    return marks.sent == 1


SENT, SENDING = str(Reminder.Status.SENT), str(Reminder.Status.SENDING)
MARK_SENT_SQL = (
    f"UPDATE {Reminder._meta.db_table} SET status = %s, sent_at = %s, claim_token = '' "  # noqa: S608 (the model's table)
    "WHERE id = %s AND claim_token = %s AND status = %s"
)


class SentMarks:
    """Marks rows sent, one UPDATE per message, each sent to the database the moment its message is accepted.

    On PostgreSQL (psycopg 3) the UPDATE goes out on the wire at once and its answer is read
    only before the next mark (or any other query): the database's round trip overlaps the
    next message's SMTP exchange instead of adding to it. The guarantee is unchanged: the
    mark of message n is in the server's hands (autocommit, its own transaction) before
    message n + 1 is offered, so a sender killed at any moment leaves at most the one
    message in flight unmarked. Elsewhere each mark runs and is read at once.

    Call ``settle()`` before using the connection for anything else; leaving the block settles.
    """

    def __init__(self, *, token: str) -> None:
        self.token = token
        self.sent = 0
        self.pending: int | None = None
        self.pgconn = None

    def __enter__(self) -> SentMarks:
        if connection.vendor == "postgresql" and is_psycopg3:
            connection.ensure_connection()
            if connection.get_autocommit():
                self.pgconn = connection.connection.pgconn
        return self

    def __exit__(self, *exc: object) -> None:
        self.settle()

    def mark(self, row_id: int) -> None:
        self.settle()
        params = [SENT, timezone.now(), row_id, self.token, SENDING]
        if self.pgconn is None:
            with connection.cursor() as cursor:
                cursor.execute(MARK_SENT_SQL, params)
                self._counted(row_id, cursor.rowcount)
            return
        from psycopg import generators

        params[1] = params[1].isoformat()
        values = [str(value).encode() for value in params]
        with connection.wrap_database_errors:
            self.pgconn.send_query_params(PG_MARK_SENT_SQL, values)
            connection.connection.wait(generators.send(self.pgconn))
        self.pending = row_id

    def settle(self) -> None:
        """Read the answer to the last mark, if it is still out."""
        if self.pending is None:
            return
        from psycopg import generators, pq

        row_id, self.pending = self.pending, None
        with connection.wrap_database_errors:
            results = connection.connection.wait(generators.fetch_many(self.pgconn))
            for result in results:
                if result.status != pq.ExecStatus.COMMAND_OK:
                    import psycopg

                    raise psycopg.DatabaseError((result.error_message or b"").decode(errors="replace"))
        self._counted(row_id, int(results[-1].command_tuples or 0) if results else 0)

    def _counted(self, row_id: int, rowcount: int) -> None:
        if rowcount == 1:
            self.sent += 1
        else:
            logger.warning("Reminder %s was sent but had been claimed again meanwhile: it may arrive twice.", row_id)


PG_MARK_SENT_SQL = MARK_SENT_SQL.replace("%s", "{}").format(*(f"${n}" for n in range(1, 6))).encode()


@contextmanager
def relaxed_commits() -> Iterator[None]:
    """On PostgreSQL, let each "sent" commit return before its WAL reaches the disk.

    A worker that dies loses nothing (the server has the commit); only a crash of the
    database server itself can forget the last fraction of a second of "sent" marks, and
    then those reminders go out again: a rare duplicate, never a loss. It makes each
    mark about a millisecond cheaper, which is most of the engine's own cost per message.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


# --- The service lead's retry -----------------------------------------------------------------


@transaction.atomic
def reminders_retry(*, ids: Iterable[int] | None = None, by: AbstractBaseUser) -> int:
    """Give failed reminders (``ids``, or all of them) a fresh set of attempts, due now."""
    if not getattr(by, "is_service_lead", False):
        raise DomainError(_("Only the service lead can retry reminders."))
    rows = Reminder.objects.filter(status=Reminder.Status.FAILED)
    if ids is not None:
        rows = rows.filter(id__in=list(ids))
    count = rows.order_by().update(
        status=Reminder.Status.PENDING, attempts=0, due_at=timezone.now(), claimed_at=None, retried_by=by
    )
    if count:
        logger.info("%s retried %d failed reminder(s)", by.pk, count)
        reminders_dispatch_soon()
    return count
