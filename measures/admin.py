from django.contrib import admin

from core.admin import ClinicalModelAdmin, SteadyModelAdmin
from measures.models import Item, Measure, Response, RiskAlert, Scale, ScheduledMeasure


class ItemInline(admin.TabularInline):
    model = Item
    fields = ("number", "text", "option_set", "reverse_scored", "risk_min_value")
    extra = 0


class ScaleInline(admin.TabularInline):
    model = Scale
    fields = ("code", "name", "method", "max_missing", "reliable_change")
    extra = 0


@admin.register(Measure)
class MeasureAdmin(SteadyModelAdmin):
    list_display = ("short_name", "version", "wording_shipped", "wording_verified", "wording_imported_at")
    readonly_fields = ("definition_hash", "loaded_at", "wording_imported_at", "wording_imported_by")
    inlines = [ItemInline, ScaleInline]


@admin.register(ScheduledMeasure)
class ScheduledMeasureAdmin(SteadyModelAdmin):
    list_display = ("programme", "measure", "time_point", "week")


@admin.register(Response)
class ResponseAdmin(ClinicalModelAdmin):
    # Answers are clinical: the admin lists responses but never shows what anyone answered.
    list_display = ("measure", "cohort", "time_point", "status", "submitted_at")
    list_filter = ("status", "measure")
    fields = ("measure", "cohort", "time_point", "status", "started_at", "submitted_at", "corrects")
    readonly_fields = fields

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RiskAlert)
class RiskAlertAdmin(ClinicalModelAdmin):
    list_display = ("response", "created_at", "acknowledged_at")
    readonly_fields = ("response", "item", "created_at", "acknowledged_at", "acknowledged_by")
    exclude = ("action_note",)  # what was done about a risk answer is clinical: facilitators read it in the app
