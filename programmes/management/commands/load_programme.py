from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from programmes.interchange import ImportFormatError
from programmes.services.importing import BUILTIN_PATH, programme_load_builtin


class Command(BaseCommand):
    help = "Load the built-in CFT programme for healthcare staff (published). Safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--file", type=Path, default=BUILTIN_PATH, help="A programme file (default: built-in).")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]
        try:
            programme, created = programme_load_builtin(path=path)
        except ImportFormatError as exc:
            where = f"line {exc.line}: " if exc.line else ""
            raise CommandError(f"{path}: {where}{exc.message} Nothing was loaded.") from exc
        except DomainError as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        state = "Loaded" if created else "Already loaded"
        self.stdout.write(self.style.SUCCESS(f"{state}: {programme} (id {programme.pk})."))
