from django.contrib import admin

from core.admin import SteadyModelAdmin
from facilitation.models import (
    ProtectedTimeDelegation,
    ProtectedTimeEvent,
    ProtectedTimeLine,
    ProtectedTimeRequest,
)

# --- Protected time ---------------------------------------------------------


class ProtectedTimeLineInline(admin.TabularInline):
    model = ProtectedTimeLine
    extra = 0
    fields = ("group_session", "starts_at", "ends_at", "minutes", "decision", "decided_by", "previous_starts_at")
    readonly_fields = fields
    can_delete = False


@admin.register(ProtectedTimeRequest)
class ProtectedTimeRequestAdmin(SteadyModelAdmin):
    """Read-only: every change goes through facilitation.services so it is recorded."""

    list_display = ("enrolment", "status", "submitted_at", "decided_at", "awaiting_since")
    list_filter = ("status",)
    search_fields = ("enrolment__participant__email", "enrolment__cohort__name")
    list_select_related = ("enrolment__participant", "enrolment__cohort")
    inlines = [ProtectedTimeLineInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProtectedTimeEvent)
class ProtectedTimeEventAdmin(SteadyModelAdmin):
    list_display = ("request", "action", "actor", "on_behalf_of", "at")
    list_filter = ("action",)
    list_select_related = ("actor", "on_behalf_of")

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProtectedTimeDelegation)
class ProtectedTimeDelegationAdmin(SteadyModelAdmin):
    list_display = ("manager", "deputy", "starts_on", "ends_on", "revoked_at")
    list_select_related = ("manager", "deputy")
