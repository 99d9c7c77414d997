from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from measures.definitions import DefinitionError
from measures.services import measures_load_builtin


class Command(BaseCommand):
    help = "Load the outcome measures in measures/data/ (or the files given). Safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="Measure files (default: every built-in one).")

    def handle(self, *args: object, **options: object) -> None:
        try:
            loaded = measures_load_builtin(paths=options["files"] or None)
        except DefinitionError as exc:
            raise CommandError(f"{exc.message} Nothing was loaded.") from exc
        except DomainError as exc:
            raise CommandError(f"{exc.message} Nothing was loaded.") from exc
        for measure, state in loaded:
            self.stdout.write(f"{state}: {measure}")
        self.stdout.write(self.style.SUCCESS(f"{len(loaded)} measures checked."))
