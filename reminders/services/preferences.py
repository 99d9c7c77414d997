"""A person's choices of reminder emails, and marking their notifications read."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import page_cache
from core.errors import DomainError
from reminders.models import NOTIFIED_STATUSES, Reminder, ReminderPreference
from reminders.registry import get_kind


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
    page_cache.bump(page_cache.person(user.pk))  # the participant home says which emails come
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
