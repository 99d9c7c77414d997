"""Sample template context for reminder kinds: previews and the neutral-wording tests use it.

One dictionary of neutral values serves every kind; an app whose templates need its own
values (a status, a model instance) adds them in its own sample function, so this module
never names a status of an app above it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings


def sample_context() -> dict[str, Any]:
    site = settings.STEADY_SITE_URL
    start = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
    return {
        "neutral_label": "Staff wellbeing group",
        "label": "Staff wellbeing group",
        "participant_name": "Amara Okafor",
        "participant_first_name": "Amara",
        "first_name": "Amara",
        "manager_name": "Helen Shaw",
        "manager_first_name": "Helen",
        "waiting_count": 2,
        "for_participant": True,
        "when": "Tuesday 10 March, 13:00",
        "local_start": start,
        "local_end": start.replace(hour=15),
        "venue": "Education Centre, room 2",
        "video_link": "",
        "link": f"{site}/",
        "url": f"{site}/",
        "home_url": f"{site}/me/",
        "pack_url": f"{site}/me/",
        "ics_url": f"{site}/me/",
    }
