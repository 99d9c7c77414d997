from django.contrib import admin

from sessions.models import Attendance, ClosureDate, Cohort, GroupSession


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "programme", "start_date", "weekday", "start_time", "time_zone", "capacity", "status")
    list_filter = ("status", "time_zone", "holiday_region")
    search_fields = ("name", "venue")
    list_select_related = ("programme",)
    filter_horizontal = ("facilitators",)


@admin.register(GroupSession)
class GroupSessionAdmin(admin.ModelAdmin):
    list_display = ("cohort", "kind", "number", "local_date", "starts_at", "status", "moved_reason")
    list_filter = ("kind", "status")
    search_fields = ("cohort__name",)
    list_select_related = ("cohort",)


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("group_session", "participant", "status", "recorded_at")
    list_filter = ("status",)
    list_select_related = ("group_session__cohort", "participant")


@admin.register(ClosureDate)
class ClosureDateAdmin(admin.ModelAdmin):
    list_display = ("date", "description")
