from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.forms import UserChangeForm, UserCreationForm
from accounts.models import TwoFactorPolicy, User
from accounts.services import user_deactivate


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

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # Turning an account off goes through the service, which also ends the person's sessions.
        deactivating = change and not obj.is_active and User.objects.filter(pk=obj.pk, is_active=True).exists()
        if deactivating and obj.pk == request.user.pk:
            raise PermissionDenied  # nobody turns their own account off
        if deactivating:
            obj.is_active = True  # the service turns it off, after the other changes are saved
        super().save_model(request, obj, form, change)
        if deactivating:
            user_deactivate(user=obj, by=request.user)


@admin.register(TwoFactorPolicy)
class TwoFactorPolicyAdmin(admin.ModelAdmin):
    """Shown, never edited here: the service lead changes it on its own page, which signs out people it binds."""

    list_display = ("__str__", "required_for_facilitators", "required_for_service_leads", "updated_by", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TwoFactorPolicy | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TwoFactorPolicy | None = None) -> bool:
        return False
