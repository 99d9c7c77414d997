"""Sample template context for reminder kinds: previews and the neutral-wording tests use it.

One dictionary serves every kind, so each kind's ``sample=`` stays one line and
a template that wants a new key gets it here, beside the others.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
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
        "status": "approved",
        "waiting_count": 2,
        "for_participant": True,
        "when": "Tuesday 10 March, 13:00",
        "local_start": start,
        "local_end": start.replace(hour=15),
        "venue": "Education Centre, room 2",
        "video_link": "",
        "group_session": SimpleNamespace(status="scheduled", cancel_reason=""),
        "link": f"{site}/",
        "url": f"{site}/",
        "home_url": f"{site}/me/",
        "pack_url": f"{site}/me/",
        "ics_url": f"{site}/me/",
    }
