"""Sending one claimed batch over one SMTP connection, inside the send task's time budget."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.utils import timezone
from django.utils.translation import gettext as _

from reminders.models import Reminder, ReminderPreference
from reminders.registry import get_kind
from reminders.rendering import reminder_email, site_links, wire_message
from reminders.services.dispatch import LeaseKeeper, reminders_release
from reminders.services.outcomes import (
    CONNECTION_ERRORS,
    SentMarks,
    quiet_hours_end,
    refusal_of,
    relaxed_commits,
    reminder_fail,
    reminder_refused,
    reminders_retry_later,
)

logger = logging.getLogger(__name__)

# The most server replies one message can wait for: a reconnection (greeting, EHLO) after a
# refusal, then MAIL FROM, RCPT TO, DATA and the end of the data; one spare.
REPLIES_PER_MESSAGE = 8


@dataclass(frozen=True)
class SendBudget:
    """How long a send task takes new messages, and how long it waits for any one server reply.

    Both come from ``STEADY_REMINDER_SEND_SECONDS``, which is also the task's soft time limit
    (``CELERY_TASK_ANNOTATIONS`` in the settings): a sender stops taking messages early enough
    that the slowest possible message still ends before the limit. A slow server means fewer
    messages per task, never a task cut off while a message waits for its reply.
    """

    take_seconds: float
    reply_timeout: float

    @classmethod
    def from_settings(cls) -> SendBudget:
        seconds = settings.STEADY_REMINDER_SEND_SECONDS
        reply_timeout = min(settings.EMAIL_TIMEOUT or seconds, seconds / 20)
        return cls(take_seconds=seconds - REPLIES_PER_MESSAGE * reply_timeout - 1, reply_timeout=reply_timeout)


def reminders_send_batch(*, ids: Iterable[int], token: str) -> int:
    """Send the rows this claim still holds over one SMTP connection; return how many were sent.

    Running it twice sends once: only rows still "sending" under ``token`` are sent, and
    each is marked sent right after the server accepts its message. The claim's lease is
    renewed while the batch is sent (``LeaseKeeper``).
    """
    started = time.monotonic()
    budget = SendBudget.from_settings()
    with LeaseKeeper(token) as keeper:
        if not keeper.holds():
            return 0
        messages = _messages(ids=ids, token=token)
        if not messages:
            return 0
        mail = get_connection(fail_silently=False, timeout=budget.reply_timeout)
        try:
            mail.open()
        except Exception as exc:
            error = _("Could not connect to the mail server: %(error)s") % {"error": _described(exc)}
            reminders_retry_later(rows=[row for row, _message in messages], token=token, error=error)
            return 0
        with relaxed_commits():
            return send_over(mail, messages, token=token, keeper=keeper, take_until=started + budget.take_seconds)


def _messages(*, ids: Iterable[int], token: str) -> list:
    """Render the claimed rows that should go out now as (row, message); settle the others.

    Turned-off kinds are skipped, non-urgent ones in the recipient's quiet hours wait for
    the morning, and a row whose kind or template is broken fails on its own.
    """

    rows = list(
        Reminder.objects.filter(id__in=list(ids), claim_token=token, status=Reminder.Status.SENDING)
        .select_related("recipient")
        .order_by("id")
    )
    if not rows:
        return []
    now = timezone.now()
    turned_off = set(
        ReminderPreference.objects.filter(
            user_id__in={row.recipient_id for row in rows}, kind__in={row.kind for row in rows}, enabled=False
        ).values_list("user_id", "kind")
    )
    to_send: list[Reminder] = []
    skipped: list[int] = []
    held: dict[datetime, list[int]] = defaultdict(list)
    for row in rows:
        try:
            kind = get_kind(row.kind)
        except LookupError as exc:
            reminder_fail(row=row, token=token, error=str(exc))
            continue
        if not kind.essential and (row.recipient_id, row.kind) in turned_off:
            skipped.append(row.pk)
        elif not kind.urgent and (until := quiet_hours_end(now, row.recipient.tzinfo)):
            held[until].append(row.pk)
        else:
            to_send.append(row)
    owned = Reminder.objects.filter(claim_token=token, status=Reminder.Status.SENDING).order_by()
    if skipped:
        owned.filter(id__in=skipped).update(status=Reminder.Status.SKIPPED, sent_at=now, claim_token="")
    for until, held_ids in held.items():
        owned.filter(id__in=held_ids).update(
            status=Reminder.Status.PENDING, due_at=until, claim_token="", claimed_at=None
        )
    messages = []
    links = site_links()
    for row in to_send:
        try:
            messages.append((row, reminder_email(row, links=links)))
        except Exception as exc:  # a broken template will not mend itself: fail the row, send the rest
            logger.exception("Could not render reminder %s", row.pk)
            reminder_fail(row=row, token=token, error=f"{exc.__class__.__name__}: {exc}")
    return messages


def send_over(mail, messages: list, *, token: str, keeper: LeaseKeeper, take_until: float) -> int:
    """Send each (row, message) over the open connection ``mail``, marking each row sent at once.

    A refusal of one message (one address, one message) settles that row alone and the
    batch goes on, over a new connection if the server closed this one. A lost connection
    sends the rest of the batch to back off. Past ``take_until`` (a ``time.monotonic()``),
    or once the claim is no longer surely held, the rest is given back for another sender.

    Over SMTP the message goes straight to the open ``smtplib`` client as the bytes
    ``wire_message`` builds; other backends (tests, console) get the message itself.
    """

    smtp = isinstance(mail, SmtpBackend)
    marks = SentMarks(token=token)
    try:
        with marks:
            for index, (row, message) in enumerate(messages):
                if time.monotonic() > take_until or not keeper.holds():
                    marks.settle()
                    reminders_release(ids=[later.pk for later in _rows(messages, index)], token=token)
                    break
                if smtp and mail.connection.sock is None:  # the server hung up after refusing the last one
                    try:
                        mail.connection = None
                        mail.open()
                    except Exception as exc:
                        marks.settle()
                        error = _("Could not connect to the mail server: %(error)s") % {"error": _described(exc)}
                        reminders_retry_later(rows=_rows(messages, index), token=token, error=error)
                        break
                try:
                    if smtp:
                        mail.connection.sendmail(*wire_message(message))
                    else:
                        mail.send_messages([message])
                except Exception as exc:
                    marks.settle()
                    if refusal := refusal_of(exc, recipient=row.recipient.email):
                        reminder_refused(row=row, token=token, refusal=refusal)
                        continue
                    if not isinstance(exc, CONNECTION_ERRORS):
                        raise
                    error = _("The connection to the mail server was lost: %(error)s") % {"error": _described(exc)}
                    reminders_retry_later(rows=_rows(messages, index), token=token, error=error)
                    break
                # The server has accepted this message: its mark goes out before the next message does.
                marks.mark(row.pk)
    finally:
        try:
            mail.close()
        except Exception:  # closing a dead connection tells us nothing new
            logger.debug("SMTP close failed", exc_info=True)
    return marks.sent


def _rows(messages: list, start: int) -> list[Reminder]:
    return [row for row, _message in messages[start:]]


def _described(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__
