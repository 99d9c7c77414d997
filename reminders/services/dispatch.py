"""Claiming due rows for one sender, keeping a live sender's claim (its lease), and giving rows back."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from reminders.models import Reminder

logger = logging.getLogger(__name__)


def lease() -> timedelta:
    return timedelta(seconds=settings.STEADY_REMINDER_LEASE_SECONDS)


def claimable(now: datetime) -> Q:
    """Due pending rows, and rows left "sending" past the lease (their sender died or their task was lost)."""
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
            "Claimed %d reminder(s) again after their lease ran out (ids %s): their task was lost with the "
            "broker, or their sender died, in which case a message accepted just before it died may go out twice.",
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


def reminders_lease_renew(*, token: str) -> int:
    """Restart the lease of the rows ``token`` still holds; return how many it holds."""
    return (
        Reminder.objects.filter(claim_token=token, status=Reminder.Status.SENDING)
        .order_by()
        .update(claimed_at=timezone.now())
    )


class LeaseKeeper:
    """Keeps a live sender's claim: renews it at once, then every lease/6 from a thread of its own.

    The lease can then be short (a minute), so rows whose task was lost with the broker, or
    whose sender died, come back within about a minute, while a sender that waits on a slow
    server keeps its rows however long one message takes. ``holds()`` is true while the last
    renewal is less than half a lease old and still found rows: a sender whose database went
    away, or whose rows were claimed again, stops taking rows well before anyone else may.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self.seconds = settings.STEADY_REMINDER_LEASE_SECONDS
        self.safe_until = 0.0
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def renew(self) -> int:
        started = time.monotonic()
        held = reminders_lease_renew(token=self.token)
        if held:
            self.safe_until = started + self.seconds / 2
        else:
            self.lost = True
        return held

    def holds(self) -> bool:
        return not self.lost and time.monotonic() < self.safe_until

    def __enter__(self) -> LeaseKeeper:
        if self.renew():
            self._thread = threading.Thread(target=self._keep, name=f"lease-{self.token[:8]}", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _keep(self) -> None:

        try:
            while not self._stop.wait(self.seconds / 6):
                try:
                    if not self.renew():
                        return  # every row is sent, or was claimed again
                except Exception:
                    logger.warning("Could not renew the lease of reminder claim %s", self.token, exc_info=True)
        finally:
            connection.close()
