"""Writes for calendar feeds: a person's secret subscription address, and giving them a new one."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core import page_cache
from sessions.models import (
    CalendarFeed,
)


@transaction.atomic
def calendar_feed_ensure(*, user: User) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        feed = CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))
    page_cache.bump(page_cache.person(user.pk))
    return feed


@transaction.atomic
def calendar_feed_rotate(*, user: User) -> CalendarFeed:
    """Give the user a new secret address; the old one stops working at once.

    A first address is only created (``rotated_at`` stays empty): there was no old one.
    """
    if not CalendarFeed.objects.filter(user=user).exists():
        return calendar_feed_ensure(user=user)
    feed = calendar_feed_ensure(user=user)
    feed.token = secrets.token_urlsafe(32)
    feed.rotated_at = timezone.now()
    feed.save(update_fields=["token", "rotated_at"])
    page_cache.bump(page_cache.person(user.pk))
    return feed
