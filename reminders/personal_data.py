"""Reminders' entries in the personal-data registry: the person's reminders, notices and preferences."""

from __future__ import annotations

from typing import Any

from core.personal_data import PersonalData, owned_exporter, register
from reminders.models import Reminder, ReminderPreference


def erase_reminders(person: Any) -> None:
    # Their own reminders and notices go (their context may name a session or a person); a row
    # another person retried keeps its row but no longer says who retried it.
    Reminder.objects.filter(recipient=person).delete()
    Reminder.objects.filter(retried_by=person).update(retried_by=None)


register(
    PersonalData(
        model="reminders.Reminder",
        export=owned_exporter("reminders.Reminder", "recipient", ("kind", "due_at", "status", "sent_at", "read_at")),
        erase=erase_reminders,
    )
)
register(
    PersonalData(
        model="reminders.ReminderPreference",
        export=owned_exporter("reminders.ReminderPreference", "user", ("kind", "enabled", "updated_at")),
        erase=lambda person: ReminderPreference.objects.filter(user=person).delete(),
    )
)
