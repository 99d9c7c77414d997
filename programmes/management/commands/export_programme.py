from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programmes.models import Programme
from programmes.selectors import programme_export_text


class Command(BaseCommand):
    help = "Write one programme version (plans, agenda, materials with their files, pack) to a YAML file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("programme_id", type=int)
        parser.add_argument("--output", "-o", type=Path, help="File to write (default: standard output).")

    def handle(self, *args: object, **options: object) -> None:
        programme = Programme.objects.filter(pk=options["programme_id"]).first()
        if programme is None:
            raise CommandError(f"There is no programme with id {options['programme_id']}.")
        text = programme_export_text(programme=programme)
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {programme} to {options['output']}.")
        else:
            self.stdout.write(text, ending="")
