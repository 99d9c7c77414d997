from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.forms import UserChangeForm, UserCreationForm
from accounts.models import LineManagerRequest, TwoFactorPolicy, User
from accounts.services import user_deactivate
from core.admin import SteadyAdminMixin, SteadyModelAdmin
from core.services import access_change_record

# What a person may see or do in Steady: nobody changes these for themselves, and every change
# another person makes is recorded in the access log and announced to the person concerned.
ACCESS_FLAGS = ("is_participant", "is_facilitator", "is_manager", "is_service_lead", "is_staff", "is_superuser")
SELF_READ_ONLY = (*ACCESS_FLAGS, "is_active", "groups", "user_permissions")
# Only a superuser gives admin access or the service-lead role (else a lead could make a second
# account of their own and give themselves roles from it), or other permissions.
SUPERUSER_ONLY = ("is_superuser", "is_staff", "is_service_lead", "groups", "user_permissions")
# Only a superuser changes an existing person's email address: with it, a password reset link
# would go to whoever typed the new address, and they could sign in as that person.
SUPERUSER_ONLY_ONCE_CREATED = ("email",)


@admin.register(User)
class UserAdmin(SteadyAdminMixin, BaseUserAdmin):
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

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += SELF_READ_ONLY
        if not request.user.is_superuser:
            fields += SUPERUSER_ONLY
            if obj is not None:
                fields += SUPERUSER_ONLY_ONCE_CREATED
        return tuple(dict.fromkeys(fields))

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = ""):
        # Setting someone else's password is signing in as them: superusers only. People reset their own.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # A service lead with admin access does not manage a superuser's account (its password, its access).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        before = User.objects.filter(pk=obj.pk).values(*ACCESS_FLAGS, "is_active").first() if change else None
        before = before or {**dict.fromkeys(ACCESS_FLAGS, False), "is_active": False}
        changed = [flag for flag in ACCESS_FLAGS if getattr(obj, flag) != before[flag]]
        # Turning an account off goes through the service, which also ends the person's sessions.
        deactivating = change and before["is_active"] and not obj.is_active
        if (changed or deactivating) and obj.pk == request.user.pk:
            raise PermissionDenied  # the form makes these read-only for oneself; this holds if it did not
        if deactivating:
            obj.is_active = True  # the service turns it off, after the other changes are saved
        super().save_model(request, obj, form, change)
        for flag in changed:
            gained = getattr(obj, flag)
            role = str(User._meta.get_field(flag).verbose_name)
            access_change_record(
                actor=request.user,
                subject=obj,
                record=obj,
                action="role_added" if gained else "role_removed",
                detail=(
                    f"{request.user} gave you the {role} role" if gained else f"{request.user} removed your {role} role"
                ),
            )
        if deactivating:
            user_deactivate(user=obj, by=request.user)


@admin.register(LineManagerRequest)
class LineManagerRequestAdmin(SteadyModelAdmin):
    """Line managers named by people, waiting or answered (the link's token is never shown)."""

    list_display = ("staff_member", "email", "first_name", "last_name", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("email", "staff_member__email", "staff_member__first_name", "staff_member__last_name")
    list_select_related = ("staff_member",)
    raw_id_fields = ("staff_member", "decided_by")
    exclude = ("token_hash",)
    readonly_fields = ("created_at",)


@admin.register(TwoFactorPolicy)
class TwoFactorPolicyAdmin(SteadyAdminMixin, admin.ModelAdmin):
    """Shown, never edited here: the service lead changes it on its own page, which signs out people it binds."""

    list_display = ("__str__", "required_for_facilitators", "required_for_service_leads", "updated_by", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TwoFactorPolicy | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TwoFactorPolicy | None = None) -> bool:
        return False
