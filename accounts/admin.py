from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.forms import UserChangeForm, UserCreationForm
from accounts.models import LineManagerRequest, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = (
        "email",
        "first_name",
        "last_name",
        "team",
        "is_participant",
        "is_facilitator",
        "is_manager",
        "is_service_lead",
        "line_manager",
        "is_active",
    )
    list_filter = ("is_participant", "is_facilitator", "is_manager", "is_service_lead", "is_active")
    search_fields = ("email", "first_name", "last_name", "team")
    list_select_related = ("line_manager",)
    raw_id_fields = ("line_manager",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("About"), {"fields": ("first_name", "last_name", "job_title", "team", "time_zone", "line_manager")}),
        (_("Roles"), {"fields": ("is_participant", "is_facilitator", "is_manager", "is_service_lead")}),
        (_("Admin access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "first_name", "password1", "password2")}),)


@admin.register(LineManagerRequest)
class LineManagerRequestAdmin(admin.ModelAdmin):
    """Line managers named by people, waiting or answered (the link's token is never shown)."""

    list_display = ("staff_member", "email", "first_name", "last_name", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("email", "staff_member__email", "staff_member__first_name", "staff_member__last_name")
    list_select_related = ("staff_member",)
    raw_id_fields = ("staff_member", "decided_by")
    exclude = ("token_hash",)
    readonly_fields = ("created_at",)
