from django.contrib import admin

from core.admin import SteadyModelAdmin
from programmes.models import AgendaItem, InformationPack, InformationPackSection, Material, Programme, SessionPlan


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class MaterialInline(admin.StackedInline):
    model = Material
    extra = 0


class InformationPackSectionInline(admin.StackedInline):
    model = InformationPackSection
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(SteadyModelAdmin):
    list_display = ("name", "version", "status", "weekly_session_count", "session_minutes", "neutral_label")
    list_filter = ("status",)
    search_fields = ("name", "summary")


@admin.register(SessionPlan)
class SessionPlanAdmin(SteadyModelAdmin):
    list_display = ("__str__", "programme", "kind", "number", "intensity")
    list_filter = ("kind", "intensity", "programme")
    search_fields = ("title", "aims")
    list_select_related = ("programme",)
    inlines = [AgendaItemInline, MaterialInline]


@admin.register(Material)
class MaterialAdmin(SteadyModelAdmin):
    list_display = ("title", "kind", "audience", "release", "file_type", "session_plan")
    list_filter = ("kind", "audience", "release")
    search_fields = ("title",)
    list_select_related = ("session_plan", "session_plan__programme")


@admin.register(InformationPack)
class InformationPackAdmin(SteadyModelAdmin):
    list_display = ("title", "programme", "version", "published_at")
    list_select_related = ("programme",)
    inlines = [InformationPackSectionInline]
