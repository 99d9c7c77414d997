"""Reads of reminder rows: a person's notifications, and the service lead's overview."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.utils import timezone

from reminders.models import NOTIFIED_STATUSES, Reminder, ReminderPreference
from reminders.registry import ReminderKind, all_kinds, get_kind
from reminders.services.dispatch import lease
from reminders.services.preferences import notifications_unread_cache_key


def notifications_for(user: AbstractBaseUser) -> QuerySet[Reminder]:
    """The person's notifications, newest first: the same rows as their reminder emails."""
    return Reminder.objects.filter(recipient=user, status__in=NOTIFIED_STATUSES, due_at__lte=timezone.now()).order_by(
        "-due_at", "-id"
    )


# The bell's count is on every page a signed-in person opens and changes far less often, so it is cached
# for a short while: reading notifications clears it at once (notifications_mark_read); a notification that
# falls due or is sent shows within this many seconds.
UNREAD_COUNT_SECONDS = 60


def notifications_unread_count(user: AbstractBaseUser) -> int:
    key = notifications_unread_cache_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = notifications_for(user).filter(read_at__isnull=True).count()
        cache.set(key, count, UNREAD_COUNT_SECONDS)
    return count


def kind_label(code: str) -> str:
    try:
        return str(get_kind(code).label)
    except LookupError:
        return code


def preference_kinds() -> list[ReminderKind]:
    """Every kind, essential ones too (shown as always on)."""
    return all_kinds()


def preference_kinds_for(user: AbstractBaseUser) -> list[ReminderKind]:
    """The kinds that concern ``user``: meant for one of their roles, or already sent to them."""
    roles = set(user.roles)
    had = set(Reminder.objects.filter(recipient=user).values_list("kind", flat=True).distinct())
    return [kind for kind in all_kinds() if not kind.audience or roles & set(kind.audience) or kind.code in had]


def preferences_enabled(user: AbstractBaseUser) -> set[str]:
    """The kinds whose emails ``user`` receives."""
    off = set(ReminderPreference.objects.filter(user=user, enabled=False).values_list("kind", flat=True))
    return {kind.code for kind in all_kinds() if kind.essential or kind.code not in off}


def reminder_status_counts() -> dict[str, int]:
    """Rows by status (every status present, zero when none), plus "stuck": sending past the lease."""
    counts = dict.fromkeys(Reminder.Status.values, 0)
    rows = Reminder.objects.order_by().values("status").annotate(n=Count("id"))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def reminders_stuck_count() -> int:
    return Reminder.objects.filter(status=Reminder.Status.SENDING, claimed_at__lt=timezone.now() - lease()).count()


def reminders_failed(*, limit: int = 50) -> QuerySet[Reminder]:
    return (
        Reminder.objects.filter(status=Reminder.Status.FAILED).select_related("recipient").order_by("-due_at")[:limit]
    )


def reminders_oldest_due_pending() -> Reminder | None:
    return (
        Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lte=timezone.now()).order_by("due_at").first()
    )
