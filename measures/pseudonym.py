"""Pseudonymous ids for research exports: stable per participant and study, never a name or email.

``HMAC-SHA256(key, "study:participant id")``, cut to 16 hex characters. The key is the
``STEADY_RESEARCH_ID_KEY`` setting (falling back to ``SECRET_KEY``); the study is the
export's name (by default the cohort's programme), so the same person has a different id
in another study and ids cannot be reversed without the key.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def pseudonym(participant_id: int, *, study: str) -> str:
    key = (getattr(settings, "STEADY_RESEARCH_ID_KEY", "") or settings.SECRET_KEY).encode()
    return hmac.new(key, f"{study}:{participant_id}".encode(), hashlib.sha256).hexdigest()[:16]
