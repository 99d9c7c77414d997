from django.contrib import admin

from core.models import AccessLog, CrisisContact, EscalationStep, Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "beat_at")


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "record_type", "record_id", "subject")
    list_filter = ("action", "record_type")
    search_fields = ("actor__email", "subject__email", "record_id")
    list_select_related = ("actor", "subject")
    date_hierarchy = "at"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    list_display = ("ladder", "subject_id", "step", "cycle", "fired_at")
    list_filter = ("ladder", "step")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(CrisisContact)
class CrisisContactAdmin(admin.ModelAdmin):
    """Read-only here: the service lead edits the list on its own page, where each number is validated."""

    list_display = ("region", "name", "number", "hours", "position")
    list_filter = ("region",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
