from django.contrib import admin

from core.admin import SteadyModelAdmin
from reminders.models import Reminder, ReminderPreference


@admin.register(Reminder)
class ReminderAdmin(SteadyModelAdmin):
    list_display = ("kind", "recipient", "due_at", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("recipient__email", "kind", "subject_id")
    list_select_related = ("recipient",)
    date_hierarchy = "due_at"


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(SteadyModelAdmin):
    list_display = ("user", "kind", "enabled", "updated_at")
    list_filter = ("kind", "enabled")
    search_fields = ("user__email",)
    list_select_related = ("user",)
