"""The demo-data registry behind ``manage.py seed_demo``.

Each Steady app may have a ``demo.py`` with ``def seed(ctx: DemoContext)``.
``seed_demo`` calls them in INSTALLED_APPS order (the layering order), so a
higher app finds what a lower one made in ``ctx``. Every ``seed`` must be
idempotent: look up before creating. A seeder that needs what every app has made
(the measures demo answers for the running group) appends a callable to
``ctx.later``; those run, in order, after every app's ``seed``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

DEMO_PASSWORD = "steady-demo-2026"


@dataclass
class DemoContext:
    """What the seeders made so far, by name, and the logins to print at the end."""

    objects: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, email, password)
    notes: list[str] = field(default_factory=list)
    later: list[Callable[[DemoContext], None]] = field(default_factory=list)


def run_seeders() -> DemoContext:
    ctx = DemoContext()
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        if hasattr(module, "seed"):
            module.seed(ctx)
    for seed_later in ctx.later:
        seed_later(ctx)
    return ctx
