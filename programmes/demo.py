"""Demo data: the built-in programme, published."""

from __future__ import annotations

from core.demo import DemoContext
from programmes.services.importing import programme_load_builtin


def seed(ctx: DemoContext) -> None:
    programme, _created = programme_load_builtin(by=ctx.objects.get("lead"))
    ctx.objects["programme"] = programme
