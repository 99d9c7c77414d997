from django.contrib import admin

from core.admin import ClinicalModelAdmin, SteadyModelAdmin
from sessions.models import (
    Attendance,
    AvailabilitySlot,
    AvailabilityWindow,
    BlockedDate,
    CalendarFeed,
    CheckIn,
    CheckinOffer,
    ClosureDate,
    Cohort,
    Enrolment,
    GroupSession,
    HelpRequest,
    Invitation,
    PlaceOverride,
)


@admin.register(Cohort)
class CohortAdmin(SteadyModelAdmin):
    list_display = ("name", "programme", "start_date", "weekday", "start_time", "time_zone", "capacity", "status")
    list_filter = ("status", "time_zone", "holiday_region")
    search_fields = ("name", "venue")
    list_select_related = ("programme",)
    filter_horizontal = ("facilitators",)
    people_relations = ("facilitators",)


@admin.register(GroupSession)
class GroupSessionAdmin(ClinicalModelAdmin):
    list_display = ("cohort", "kind", "number", "local_date", "starts_at", "status", "moved_reason")
    list_filter = ("kind", "status")
    search_fields = ("cohort__name",)
    list_select_related = ("cohort",)
    exclude = ("group_notes",)


@admin.register(Attendance)
class AttendanceAdmin(ClinicalModelAdmin):
    list_display = ("group_session", "participant", "status", "recorded_at")
    list_filter = ("status",)
    list_select_related = ("group_session__cohort", "participant")
    exclude = ("note",)  # attendance notes and apologies are clinical, for the cohort's facilitators only


@admin.register(ClosureDate)
class ClosureDateAdmin(SteadyModelAdmin):
    list_display = ("date", "description")


# --- Check-ins ---
# Private notes, follow-up actions, summaries and help-request messages are clinical: the admin
# shows bookings only (service leads see clinical records only as facilitators, in the app).


@admin.register(AvailabilityWindow)
class AvailabilityWindowAdmin(SteadyModelAdmin):
    list_display = ("facilitator", "weekday", "start_time", "end_time", "slot_minutes", "time_zone", "valid_from")
    list_select_related = ("facilitator",)


@admin.register(AvailabilitySlot)
class AvailabilitySlotAdmin(SteadyModelAdmin):
    list_display = ("facilitator", "local_date", "start_time", "minutes", "time_zone")
    list_select_related = ("facilitator",)


@admin.register(BlockedDate)
class BlockedDateAdmin(ClinicalModelAdmin):
    list_display = ("facilitator", "date")
    list_select_related = ("facilitator",)
    exclude = ("reason",)


@admin.register(CheckIn)
class CheckInAdmin(ClinicalModelAdmin):
    list_display = ("starts_at", "facilitator", "participant", "cohort", "kind", "status", "late_cancellation")
    list_filter = ("status", "kind", "late_cancellation")
    list_select_related = ("facilitator", "participant", "cohort")
    exclude = ("notes", "follow_up_actions", "shared_summary")
    readonly_fields = ("starts_at", "ends_at", "facilitator", "participant", "cohort", "help_request")


@admin.register(HelpRequest)
class HelpRequestAdmin(ClinicalModelAdmin):
    list_display = ("created_at", "participant", "cohort", "status", "handled_at")
    list_filter = ("status",)
    list_select_related = ("participant", "cohort")
    exclude = ("message", "handled_note")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(SteadyModelAdmin):
    """Who has a calendar address; deleting one revokes it. The secret token itself is never shown here."""

    list_display = ("user", "created_at", "rotated_at")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    fields = ("user", "created_at", "rotated_at")
    readonly_fields = ("user", "created_at", "rotated_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(ClinicalModelAdmin):
    list_display = ("participant", "cohort", "status", "place_number", "acknowledged_at", "confirmed_at")
    list_filter = ("status",)
    search_fields = ("participant__email", "participant__first_name", "cohort__name")
    list_select_related = ("participant", "cohort")
    # Why someone left is clinical: only the cohort's facilitators see it, on the cohort page.
    exclude = ("withdrawal_reason",)


@admin.register(Invitation)
class InvitationAdmin(SteadyModelAdmin):
    list_display = ("email", "cohort", "expires_at", "used_at")
    search_fields = ("email",)
    list_select_related = ("cohort",)
    exclude = ("token_hash",)


@admin.register(PlaceOverride)
class PlaceOverrideAdmin(ClinicalModelAdmin):
    """A facilitator's reason to go ahead (closed group, safeness): clinical judgement, superusers only."""

    list_display = ("cohort", "kind", "email", "decided_by", "decided_at")
    exclude = ("reason", "warning")
    list_filter = ("kind",)
    list_select_related = ("cohort", "decided_by")
    readonly_fields = ("decided_at",)


@admin.register(CheckinOffer)
class CheckinOfferAdmin(ClinicalModelAdmin):
    """Who was offered a check-in after a heavy session: superusers only."""

    list_display = ("cohort", "group_session", "participant", "offered_by", "created_at", "accepted_at")
    list_select_related = ("cohort", "group_session", "participant", "offered_by")
