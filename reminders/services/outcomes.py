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


def reminder_mark_sent(*, row_id: int, token: str, cursor=None) -> bool:
    """Mark one row sent if this claim still holds it (one plain UPDATE: it runs once per message)."""
    if cursor is None:
        with mark_sent_cursor() as cursor:
            return reminder_mark_sent(row_id=row_id, token=token, cursor=cursor)
    cursor.execute(MARK_SENT_SQL, [SENT, timezone.now(), row_id, token, SENDING])
    return cursor.rowcount == 1


SENT, SENDING = str(Reminder.Status.SENT), str(Reminder.Status.SENDING)
MARK_SENT_SQL = (
    f"UPDATE {Reminder._meta.db_table} SET status = %s, sent_at = %s, claim_token = '' "  # noqa: S608 (the model's table)
    "WHERE id = %s AND claim_token = %s AND status = %s"
)


@contextmanager
def mark_sent_cursor() -> Iterator:
    """A cursor on Django's connection for the per-message UPDATE.

    On PostgreSQL it is psycopg's own server-binding cursor: no quoting of the values in
    Python, and psycopg prepares the statement after its first few runs. That halves the
    cost of a mark, which runs once per message. Elsewhere it is Django's cursor.
    """
    if connection.vendor != "postgresql" or not is_psycopg3:
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    connection.ensure_connection()
    # Errors still reach callers as Django's database errors, and mark the connection unusable.
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


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
