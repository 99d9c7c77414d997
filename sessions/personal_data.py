"""Sessions' entries in the personal-data registry, and its part of the retention purge.

Erasure keeps what the cohort figures count (a place's status and dates, attendance marks) on
the anonymised person, and deletes or blanks what is clinical (check-ins, help requests,
withdrawal reasons, attendance notes) or theirs alone (calendar feed, availability).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q

from core.personal_data import (
    ERASED_EMAIL_DOMAIN,
    PersonalData,
    owned_exporter,
    register,
    register_clinical_text,
    register_purge,
    rows,
)
from sessions.models import (
    Attendance,
    AvailabilitySlot,
    AvailabilityWindow,
    BlockedDate,
    CalendarFeed,
    CheckIn,
    CheckinOffer,
    Cohort,
    Enrolment,
    GroupSession,
    HelpRequest,
    Invitation,
    PlaceOverride,
)

# Clinical free text: the cohort's facilitators read it (the participant reads a shared summary and
# what they wrote themselves); managers, service leads and other participants never do.
register_clinical_text("group_sessions.CheckIn", "notes", "follow_up_actions", "shared_summary")
register_clinical_text("group_sessions.HelpRequest", "message", "handled_note")
register_clinical_text("group_sessions.Attendance", "note")  # register notes and apologies
register_clinical_text("group_sessions.Enrolment", "withdrawal_reason")
register_clinical_text("group_sessions.GroupSession", "group_notes")
register_clinical_text("group_sessions.BlockedDate", "reason")
register_clinical_text("group_sessions.PlaceOverride", "reason", "warning")


def export_cohorts(person: Any) -> list[dict]:
    queryset = Cohort.objects.filter(facilitators=person).order_by("pk")
    return rows(queryset, ("id", "name", "start_date", "status"))


def erase_enrolments(person: Any) -> None:
    Enrolment.objects.filter(participant=person).exclude(withdrawal_reason="").update(withdrawal_reason="")


def erase_attendance(person: Any) -> None:
    Attendance.objects.filter(participant=person).exclude(note="").update(note="")


def erase_checkins(person: Any) -> None:
    # A facilitator's own check-ins with others stay (they are the participants' records).
    CheckIn.objects.filter(participant=person).delete()


def erase_invitations(person: Any) -> None:
    Invitation.objects.filter(email__iexact=person.email).update(email=f"erased-{person.pk}@{ERASED_EMAIL_DOMAIN}")


def erase_blocked_dates(person: Any) -> None:
    BlockedDate.objects.filter(facilitator=person).delete()


KEPT_STAFF_LINK = (
    "The staff member's link to another person's record is kept, so that record stays whole; "
    "it resolves to 'erased person' once the user row is anonymised."
)

register(
    PersonalData(
        model="group_sessions.CalendarFeed",
        export=owned_exporter("group_sessions.CalendarFeed", "user", ("created_at", "rotated_at")),
        erase=lambda person: CalendarFeed.objects.filter(user=person).delete(),
    )
)
register(
    PersonalData(
        model="group_sessions.Cohort",
        export=export_cohorts,
        erase=None,
        excluded="A cohort is the service's; its facilitator list and creator keep the anonymised person. "
        + KEPT_STAFF_LINK,
    )
)
register(
    PersonalData(
        model="group_sessions.Enrolment",
        export=owned_exporter(
            "group_sessions.Enrolment",
            "participant",
            ("cohort__name", "status", "acknowledged_at", "confirmed_at", "withdrawn_at", "withdrawal_reason"),
        ),
        erase=erase_enrolments,
        excluded="The place is kept (status and dates, no reason) so cohort figures stay right.",
    )
)
register(
    PersonalData(
        model="group_sessions.Attendance",
        export=owned_exporter(
            "group_sessions.Attendance", "participant", ("group_session__starts_at", "status", "note", "recorded_at")
        ),
        erase=erase_attendance,
        excluded="The attendance mark is kept (no note) so attendance figures stay right. " + KEPT_STAFF_LINK,
    )
)
register(
    PersonalData(
        model="group_sessions.CheckIn",
        export=owned_exporter(
            "group_sessions.CheckIn",
            "participant",
            ("kind", "starts_at", "ends_at", "status", "notes", "follow_up_actions", "shared_summary"),
        ),
        erase=erase_checkins,
        excluded="Check-ins a facilitator held with others are kept. " + KEPT_STAFF_LINK,
    )
)
register(
    PersonalData(
        model="group_sessions.HelpRequest",
        export=owned_exporter("group_sessions.HelpRequest", "participant", ("created_at", "message", "status")),
        erase=lambda person: HelpRequest.objects.filter(participant=person).delete(),
    )
)
register(
    PersonalData(
        model="group_sessions.Invitation",
        export=lambda person: rows(
            Invitation.objects.filter(email__iexact=person.email).order_by("pk"),
            ("cohort__name", "created_at", "used_at"),
        ),
        erase=erase_invitations,
        excluded="Invitations a person sent are kept. " + KEPT_STAFF_LINK,
    )
)
register(
    PersonalData(
        model="group_sessions.AvailabilityWindow",
        export=owned_exporter(
            "group_sessions.AvailabilityWindow", "facilitator", ("weekday", "start_time", "end_time", "valid_from")
        ),
        erase=lambda person: AvailabilityWindow.objects.filter(facilitator=person).delete(),
    )
)
register(
    PersonalData(
        model="group_sessions.AvailabilitySlot",
        export=owned_exporter(
            "group_sessions.AvailabilitySlot", "facilitator", ("local_date", "start_time", "minutes")
        ),
        erase=lambda person: AvailabilitySlot.objects.filter(facilitator=person).delete(),
    )
)
register(
    PersonalData(
        model="group_sessions.BlockedDate",
        export=owned_exporter("group_sessions.BlockedDate", "facilitator", ("date", "reason")),
        erase=erase_blocked_dates,
    )
)

register(
    PersonalData(
        model="group_sessions.CheckinOffer",
        export=owned_exporter(
            "group_sessions.CheckinOffer", "participant", ("cohort__name", "group_session__starts_at", "accepted_at")
        ),
        erase=lambda person: CheckinOffer.objects.filter(participant=person).delete(),
        excluded="Offers a facilitator made to others are kept. " + KEPT_STAFF_LINK,
    )
)

# A go-ahead given against a warning names the person by email and says why in free text.
PLACE_OVERRIDE_CLEARED = "Cleared."


def _overrides_about(person: Any) -> Any:
    return PlaceOverride.objects.filter(Q(email__iexact=person.email) | Q(enrolment__participant=person))


def erase_place_overrides(person: Any) -> None:
    _overrides_about(person).update(
        email=f"erased-{person.pk}@{ERASED_EMAIL_DOMAIN}", reason=PLACE_OVERRIDE_CLEARED, warning=""
    )


register(
    PersonalData(
        model="group_sessions.PlaceOverride",
        export=lambda person: rows(
            _overrides_about(person).order_by("pk"), ("cohort__name", "kind", "decided_at", "reason", "warning")
        ),
        erase=erase_place_overrides,
        excluded="The decision stays (who went ahead, when), its text cleared. " + KEPT_STAFF_LINK,
    )
)


def batched_blank(queryset: Any, **blank: str) -> int:
    """Blank ``blank`` fields on ``queryset`` in batches of STEADY_PURGE_BATCH_SIZE rows; return the count."""
    filled = Q()
    for name in blank:
        filled |= ~Q(**{name: ""})
    size, done = settings.STEADY_PURGE_BATCH_SIZE, 0
    while ids := list(queryset.filter(filled).values_list("pk", flat=True)[:size]):
        with transaction.atomic():
            done += queryset.model.objects.filter(pk__in=ids).update(**blank)
    return done


def batched_delete(queryset: Any) -> int:
    size = settings.STEADY_PURGE_BATCH_SIZE
    done = 0
    while ids := list(queryset.values_list("pk", flat=True)[:size]):
        with transaction.atomic():
            done += queryset.model.objects.filter(pk__in=ids).delete()[1].get(queryset.model._meta.label, 0)
    return done


def cohort_ids_ended_before(day: dt.date) -> list[int]:
    """Cohorts that ended (completed or cancelled) with their last session, boosters too, before ``day``."""
    ended = Cohort.objects.filter(status__in=Cohort.ENDED_STATUSES).annotate(last=Max("group_sessions__local_date"))
    return list(ended.filter(Q(last__lt=day) | Q(last__isnull=True, start_date__lt=day)).values_list("pk", flat=True))


def purge_clinical_text(before: dt.date) -> int:
    """Clear the clinical text of cohorts that ended before ``before``; keep the rows the figures count."""
    cohort_ids = cohort_ids_ended_before(before)
    checkins = CheckIn.objects.filter(cohort_id__in=cohort_ids)
    done = batched_blank(checkins, notes="", follow_up_actions="", shared_summary="")
    done += batched_delete(HelpRequest.objects.filter(cohort_id__in=cohort_ids))
    done += batched_blank(Attendance.objects.filter(group_session__cohort_id__in=cohort_ids), note="")
    done += batched_blank(Enrolment.objects.filter(cohort_id__in=cohort_ids), withdrawal_reason="")
    done += batched_blank(GroupSession.objects.filter(cohort_id__in=cohort_ids), group_notes="")
    overrides = PlaceOverride.objects.filter(cohort_id__in=cohort_ids).exclude(reason=PLACE_OVERRIDE_CLEARED)
    done += overrides.update(reason=PLACE_OVERRIDE_CLEARED, warning="")
    return done


register_purge("sessions", purge_clinical_text)
