"""Delete clinical notes and questionnaire answers of cohorts that ended longer ago than retention allows."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from core.services import clinical_records_purge


class Command(BaseCommand):
    help = (
        "Delete check-in notes, help requests, attendance and group notes, withdrawal reasons and "
        "questionnaire answers of cohorts that ended more than STEADY_CLINICAL_RETENTION_MONTHS ago."
    )

    def handle(self, *args: object, **options: object) -> None:
        done = clinical_records_purge()
        months = settings.STEADY_CLINICAL_RETENTION_MONTHS
        self.stdout.write(f"Cohorts that ended more than {months} months ago:")
        for name, count in done.items():
            self.stdout.write(f"  {name}: {count} rows cleared")
