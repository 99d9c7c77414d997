from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from programmes.interchange import ImportFormatError
from programmes.services.importing import programme_import


class Command(BaseCommand):
    help = "Import a programme version from a file written by export_programme (all or nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--publish", action="store_true", help="Publish it once imported.")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["path"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            programme, _created = programme_import(text=text, by=None, publish=options["publish"])
        except ImportFormatError as exc:
            where = f"line {exc.line}: " if exc.line else ""
            raise CommandError(f"{path}: {where}{exc.message} Nothing was imported.") from exc
        except DomainError as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {programme} (id {programme.pk}, {programme.status})."))
