"""Demo protected time: requests at each step, built on the demo cohorts and places that sessions' seed made."""

from __future__ import annotations

from core.demo import DemoContext
from facilitation.protected_time_demo import seed_protected_time


def seed(ctx: DemoContext) -> None:
    seed_protected_time(ctx)
