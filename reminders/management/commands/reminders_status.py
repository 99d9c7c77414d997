from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from reminders import selectors
from reminders.models import Reminder


class Command(BaseCommand):
    help = "Show reminder counts by status, stuck and failed reminders, and the oldest one waiting."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--failed", type=int, default=10, help="How many failed reminders to list (default 10).")

    def handle(self, *args: object, failed: int, **options: object) -> None:
        counts = selectors.reminder_status_counts()
        for status, label in Reminder.Status.choices:
            self.stdout.write(f"{status:<10} {counts[status]:>8}  {label}")
        self.stdout.write(f"{'stuck':<10} {selectors.reminders_stuck_count():>8}  sending past the lease")
        oldest = selectors.reminders_oldest_due_pending()
        if oldest is None:
            self.stdout.write("Nothing is waiting to be sent.")
        else:
            late = int((timezone.now() - oldest.due_at).total_seconds())
            self.stdout.write(f"Oldest due and waiting: #{oldest.pk} ({oldest.kind}), {late}s late.")
        rows = list(selectors.reminders_failed(limit=failed))
        if rows:
            self.stdout.write(self.style.WARNING(f"Failed (newest {len(rows)} of {counts[Reminder.Status.FAILED]}):"))
            for row in rows:
                error = (row.last_error.splitlines() or [""])[0][:100]
                due = f"{row.due_at:%Y-%m-%d %H:%M}"
                self.stdout.write(f"  #{row.pk} {row.kind} to {row.recipient.email} due {due}: {error}")
