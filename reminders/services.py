"""Write reminder rows in the same transaction as the thing they are about, and send them once.

Other apps call ``reminder_schedule``, ``reminders_move``, ``reminders_cancel`` and
``notify_now``. The dispatcher (``reminders.tasks``) calls ``reminders_claim_due`` and
``reminders_send_batch``; the service lead calls ``reminders_retry``.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection, models, transaction
from django.db.backends.postgresql.psycopg_any import is_psycopg3
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from reminders.models import NOTIFIED_STATUSES, Reminder, ReminderPreference
from reminders.registry import get_kind

logger = logging.getLogger(__name__)

# Errors that mean the SMTP connection itself is gone: the rest of the batch waits for a retry too.
CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)


def subject_key(subject: models.Model) -> tuple[str, str]:
    return subject._meta.label_lower, str(subject.pk)


# --- Writing rows (called by other apps inside the subject's transaction) ------------------


@transaction.atomic
def reminder_schedule(
    *,
    kind: str,
    recipient: AbstractBaseUser,
    subject: models.Model,
    due_at: datetime,
    occurrence: str = "",
    context: dict | None = None,
) -> Reminder:
    """Create the reminder, or move it to ``due_at`` if it is still pending. Never sends twice.

    A cancelled reminder scheduled again comes back to life (its subject was restored);
    one that was already sent stays as it is.
    """
    get_kind(kind)
    subject_type, subject_id = subject_key(subject)
    reminder, created = Reminder.objects.get_or_create(
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        recipient=recipient,
        occurrence=occurrence,
        defaults={"due_at": due_at, "context": context or {}},
    )
    if created:
        return reminder
    fields: list[str] = []
    if reminder.status == Reminder.Status.CANCELLED:
        reminder.status = Reminder.Status.PENDING
        fields.append("status")
    if reminder.status == Reminder.Status.PENDING:
        if reminder.due_at != due_at:
            reminder.due_at = due_at
            fields.append("due_at")
        if context is not None and reminder.context != context:
            reminder.context = context
            fields.append("context")
    if fields:
        # Conditional on the status read above, so a dispatcher's claim in between is never undone.
        prior = Reminder.Status.CANCELLED if "status" in fields else Reminder.Status.PENDING
        values = {name: getattr(reminder, name) for name in fields}
        Reminder.objects.filter(pk=reminder.pk, status=prior).update(**values)
    return reminder


def notify_now(
    *,
    kind: str,
    recipient: AbstractBaseUser,
    subject: models.Model,
    occurrence: str = "",
    context: dict | None = None,
) -> Reminder:
    """Schedule a reminder due now and wake the dispatcher when the transaction commits.

    For notices such as "the session moved": give each change its own ``occurrence``
    (e.g. the new start time) so every change is told once. If the broker is down, the
    request still succeeds and the next beat sends it.
    """
    reminder = reminder_schedule(
        kind=kind, recipient=recipient, subject=subject, due_at=timezone.now(), occurrence=occurrence, context=context
    )
    reminders_dispatch_soon()
    return reminder


def reminders_dispatch_soon() -> None:
    """Wake the dispatcher after the current transaction commits (a no-op if the broker is down)."""
    transaction.on_commit(_publish_dispatch)


def _publish_dispatch() -> None:
    from reminders.tasks import reminders_dispatch

    try:
        reminders_dispatch.apply_async(retry=False)
    except Exception:  # the broker is down: the beat finds the rows in the database later
        logger.warning("Could not wake the reminder dispatcher now; the next beat will send the reminder.")


def reminders_for(subject: models.Model, *, kinds: Iterable[str] | None = None) -> models.QuerySet[Reminder]:
    subject_type, subject_id = subject_key(subject)
    rows = Reminder.objects.filter(subject_type=subject_type, subject_id=subject_id)
    return rows.filter(kind__in=list(kinds)) if kinds is not None else rows


@transaction.atomic
def reminders_cancel(*, subject: models.Model, kinds: Iterable[str] | None = None) -> int:
    """Cancel the subject's pending reminders; return how many."""
    return (
        reminders_for(subject, kinds=kinds)
        .filter(status=Reminder.Status.PENDING)
        .update(status=Reminder.Status.CANCELLED)
    )


@transaction.atomic
def reminders_move(
    *,
    subject: models.Model,
    due_at_for: Callable[[Reminder], datetime | None],
    kinds: Iterable[str] | None = None,
) -> int:
    """Move the subject's pending reminders to ``due_at_for(row)`` (None leaves a row); return how many moved."""
    moved = 0
    for row in reminders_for(subject, kinds=kinds).filter(status=Reminder.Status.PENDING):
        due_at = due_at_for(row)
        if due_at is None or due_at == row.due_at:
            continue
        moved += Reminder.objects.filter(pk=row.pk, status=Reminder.Status.PENDING).update(due_at=due_at)
    return moved


# --- Claiming and sending (called by the tasks) ---------------------------------------------


def lease() -> timedelta:
    return timedelta(seconds=settings.STEADY_REMINDER_LEASE_SECONDS)


def claimable(now: datetime) -> Q:
    """Due pending rows, and rows left "sending" past the lease (their sender died)."""
    return Q(status=Reminder.Status.PENDING, due_at__lte=now) | Q(
        status=Reminder.Status.SENDING, claimed_at__lt=now - lease()
    )


def reminders_claim_due(*, limit: int | None = None, now: datetime | None = None) -> tuple[str, list[int]]:
    """Claim up to ``limit`` due rows for one sender; return the claim token and the row ids.

    PostgreSQL: concurrent dispatchers skip each other's locked rows. Everywhere: the
    UPDATE repeats the "still claimable" condition, so two claimers never both win a row.
    """
    now = now or timezone.now()
    limit = limit or settings.STEADY_REMINDER_BATCH_SIZE
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = Reminder.objects.filter(claimable(now)).order_by("due_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        found = list(candidates.values_list("id", "status")[:limit])
        if not found:
            return token, []
        ids = [row_id for row_id, _status in found]
        claimed = (
            Reminder.objects.filter(claimable(now), id__in=ids)
            .order_by()
            .update(status=Reminder.Status.SENDING, claimed_at=now, claim_token=token)
        )
    if reclaimed := [row_id for row_id, status in found if status == Reminder.Status.SENDING]:
        logger.warning(
            "Claimed %d reminder(s) again after their lease ran out (ids %s); a message accepted just before "
            "its sender died may go out twice.",
            len(reclaimed),
            reclaimed[:20],
        )
    if claimed != len(ids):
        ids = list(Reminder.objects.filter(claim_token=token).values_list("id", flat=True))
    return token, ids


def reminders_release(*, ids: Iterable[int], token: str) -> int:
    """Give claimed rows back (pending, due as they were), e.g. when the broker refused the batch."""
    return (
        Reminder.objects.filter(id__in=list(ids), claim_token=token, status=Reminder.Status.SENDING)
        .order_by()
        .update(status=Reminder.Status.PENDING, claim_token="", claimed_at=None)
    )


def backoff(attempts: int) -> timedelta:
    """Return the wait before attempt ``attempts + 1``: exponential, capped."""
    seconds = settings.STEADY_REMINDER_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.STEADY_REMINDER_BACKOFF_CAP_SECONDS))


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
    """Record a failed attempt: back off and retry, or mark failed after the last attempt."""
    now = timezone.now()
    by_attempts: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_attempts[row.attempts + 1].append(row.pk)
    for attempts, ids in by_attempts.items():
        owned = Reminder.objects.filter(id__in=ids, claim_token=token, status=Reminder.Status.SENDING).order_by()
        if attempts >= settings.STEADY_REMINDER_MAX_ATTEMPTS:
            owned.update(status=Reminder.Status.FAILED, attempts=attempts, last_error=error[:2000], claim_token="")
            logger.error("Reminders %s failed after %d attempts: %s", ids[:20], attempts, error)
        else:
            owned.update(
                status=Reminder.Status.PENDING,
                attempts=attempts,
                last_error=error[:2000],
                due_at=now + backoff(attempts),
                claim_token="",
                claimed_at=None,
            )


def reminders_send_batch(*, ids: Iterable[int], token: str) -> int:
    """Send the rows this claim still holds over one SMTP connection; return how many were sent.

    Running it twice sends once: only rows still "sending" under ``token`` are sent, and
    each is marked sent right after the server accepts its message.
    """
    from reminders.rendering import reminder_email, site_links

    rows = list(
        Reminder.objects.filter(id__in=list(ids), claim_token=token, status=Reminder.Status.SENDING)
        .select_related("recipient")
        .order_by("id")
    )
    if not rows:
        return 0
    now = timezone.now()
    # Stop taking rows after half the lease, so a sender never overlaps one that claimed them again.
    deadline = min(row.claimed_at for row in rows) + lease() / 2
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
    if not messages:
        return 0
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
    except Exception as exc:
        reminders_retry_later(rows=[row for row, _ in messages], token=token, error=f"Could not connect: {exc}")
        return 0
    sent = 0
    with relaxed_commits():
        sent = send_over(mail, messages, token=token, deadline=deadline)
    return sent


def send_over(mail, messages: list, *, token: str, deadline: datetime) -> int:
    """Send each (row, message) over the open connection ``mail``, marking each row sent at once.

    Over SMTP the message goes straight to the open ``smtplib`` client as the bytes
    ``wire_message`` builds; other backends (tests, console) get the message itself.
    """
    from reminders.rendering import wire_message

    client = mail.connection if isinstance(mail, SmtpBackend) else None
    sent = 0
    try:
        with mark_sent_cursor() as cursor:
            for index, (row, message) in enumerate(messages):
                if timezone.now() > deadline:
                    reminders_release(ids=[later.pk for later, _ in messages[index:]], token=token)
                    break
                try:
                    if client is not None:
                        client.sendmail(*wire_message(message))
                    else:
                        mail.send_messages([message])
                except CONNECTION_ERRORS as exc:
                    rest = [later for later, _ in messages[index:]]
                    reminders_retry_later(rows=rest, token=token, error=f"{exc.__class__.__name__}: {exc}")
                    break
                except smtplib.SMTPException as exc:
                    reminders_retry_later(rows=[row], token=token, error=f"{exc.__class__.__name__}: {exc}")
                    continue
                # The server has accepted this message: mark it before the next one goes.
                if reminder_mark_sent(row_id=row.pk, token=token, cursor=cursor):
                    sent += 1
                else:
                    logger.warning(
                        "Reminder %s was sent but had been claimed again meanwhile: it may arrive twice.", row.pk
                    )
    finally:
        try:
            mail.close()
        except Exception:  # closing a dead connection tells us nothing new
            logger.debug("SMTP close failed", exc_info=True)
    return sent


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


def reminder_fail(*, row: Reminder, token: str, error: str) -> None:
    Reminder.objects.filter(pk=row.pk, claim_token=token, status=Reminder.Status.SENDING).update(
        status=Reminder.Status.FAILED, attempts=row.attempts + 1, last_error=error[:2000], claim_token=""
    )


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


# --- Preferences and notifications -------------------------------------------------------------


@transaction.atomic
def reminder_preference_set(*, user: AbstractBaseUser, kind: str, enabled: bool) -> ReminderPreference:
    """Turn one kind of reminder email on or off for ``user``; essential kinds stay on."""
    try:
        found = get_kind(kind)
    except LookupError:
        raise DomainError(_("There is no reminder of that kind."), field="kinds") from None
    if found.essential and not enabled:
        raise DomainError(
            _("“%(label)s” cannot be turned off: it tells you about changes you need to know.")
            % {"label": found.label},
            field="kinds",
        )
    preference, _created = ReminderPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"enabled": enabled}
    )
    return preference


@transaction.atomic
def reminder_preferences_save(*, user: AbstractBaseUser, enabled: Iterable[str], offered: Iterable[str]) -> None:
    """Save the preferences page: each kind in ``offered`` is on when it is in ``enabled``."""
    enabled = set(enabled)
    for kind in offered:
        reminder_preference_set(user=user, kind=kind, enabled=kind in enabled)


def notifications_unread_cache_key(user_id: int) -> str:
    """Where the bell's count of ``user_id`` is cached (reminders.selectors.notifications_unread_count)."""
    return f"reminders:unread:{user_id}"


def notifications_mark_read(*, user: AbstractBaseUser, ids: Iterable[int] | None = None) -> int:
    """Mark notifications of ``user`` read (``ids``, or all of them); return how many were unread."""
    rows = Reminder.objects.filter(
        recipient=user, read_at__isnull=True, status__in=NOTIFIED_STATUSES, due_at__lte=timezone.now()
    )
    if ids is not None:
        rows = rows.filter(id__in=list(ids))
    marked = rows.order_by().update(read_at=timezone.now())
    # The bell's cached count is cleared now, and again once the marks are committed (inside a caller's
    # transaction a page could cache the old count in between).
    key = notifications_unread_cache_key(user.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    return marked
