from django.contrib import admin

from facilitation.models import Enrolment, Invitation


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("participant", "cohort", "status", "place_number", "acknowledged_at", "confirmed_at")
    list_filter = ("status",)
    search_fields = ("participant__email", "participant__first_name", "cohort__name")
    list_select_related = ("participant", "cohort")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "cohort", "expires_at", "used_at")
    search_fields = ("email",)
    list_select_related = ("cohort",)
    exclude = ("token_hash",)
