"""The Django admin covers every model of Steady's apps (directly or as an inline of one that is)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

from sessions.models import CalendarFeed
from sessions.services.calendar_feeds import calendar_feed_ensure
from tests.factories import ParticipantFactory

pytestmark = [pytest.mark.foundation, pytest.mark.django_db]

STEADY_APPS = {"accounts", "core", "reminders", "programmes", "group_sessions", "facilitation"}


def test_every_model_is_in_the_admin() -> None:
    covered = set(admin.site._registry)
    for model_admin in admin.site._registry.values():
        covered |= {inline.model for inline in model_admin.inlines}
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in STEADY_APPS and model not in covered
    ]
    assert missing == []


def test_calendar_feed_admin_lists_owners_without_the_secret_token(client: Client, admin_user) -> None:
    feed = calendar_feed_ensure(user=ParticipantFactory(email="feed.owner@hospital.example"))
    client.force_login(admin_user)
    listing = client.get("/admin/group_sessions/calendarfeed/?q=feed.owner").content.decode()
    assert str(feed.user) in listing
    change = client.get(f"/admin/group_sessions/calendarfeed/{feed.pk}/change/").content.decode()
    assert feed.token not in listing and feed.token not in change
    assert CalendarFeed.objects.count() == 1
