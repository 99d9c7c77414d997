"""Accounts' entries in the personal-data registry: the person's own row (exported, then anonymised)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import LineManagerRequest, TwoFactorPolicy, User
from core.personal_data import ERASED_EMAIL_DOMAIN, PersonalData, owned_exporter, register, rows

PROFILE_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "team",
    "directorate",
    "time_zone",
    "line_manager__first_name",
    "line_manager__last_name",
    "is_participant",
    "is_facilitator",
    "is_manager",
    "is_service_lead",
    "date_joined",
    "last_login",
)


def export_profile(person: User) -> list[dict]:
    return rows(User.objects.filter(pk=person.pk), PROFILE_FIELDS)


def erase_profile(person: User) -> None:
    """Keep the row (its id holds enrolments and the audit trail together) but nothing that identifies.

    The name becomes "Erased person", the email an address at ``erased.invalid`` (which can receive
    nothing), the password unusable, every role and admin flag off, and ``is_active`` off: Django
    refuses an inactive person's session and the new password hash ends every signed-in session.
    """
    person.email = f"erased-{person.pk}@{ERASED_EMAIL_DOMAIN}"
    person.first_name, person.last_name = "Erased", "person"
    person.job_title = person.team = person.directorate = ""
    person.line_manager = None
    person.is_participant = person.is_facilitator = person.is_manager = person.is_service_lead = False
    person.is_staff = person.is_superuser = person.is_active = False
    person.set_unusable_password()
    person.last_login = None
    person.date_joined = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    person.save()
    person.groups.clear()
    person.user_permissions.clear()


register(PersonalData(model="accounts.User", export=export_profile, erase=erase_profile))


def erase_line_manager_requests(person: User) -> None:
    """Their own requests go; a request naming them by email is withdrawn if waiting, else its email erased."""
    LineManagerRequest.objects.filter(staff_member=person).delete()
    named = LineManagerRequest.objects.filter(email__iexact=person.email)
    named.filter(status=LineManagerRequest.Status.PENDING).delete()
    named.update(email=f"erased-{person.pk}@{ERASED_EMAIL_DOMAIN}", first_name="Erased", last_name="person")


register(
    PersonalData(
        model="accounts.LineManagerRequest",
        export=lambda person: rows(
            LineManagerRequest.objects.filter(Q(staff_member=person) | Q(email__iexact=person.email)).order_by("pk"),
            ("staff_member_id", "email", "first_name", "last_name", "status", "created_at", "decided_at"),
        ),
        erase=erase_line_manager_requests,
    )
)
register(
    PersonalData(
        model="accounts.TwoFactorPolicy",
        export=owned_exporter("accounts.TwoFactorPolicy", "updated_by", ("updated_at",)),
        erase=lambda person: TwoFactorPolicy.objects.filter(updated_by=person).update(updated_by=None),
    )
)
# Two-step sign-in devices: their name and dates only, never the secret key; deleted on erasure.
register(
    PersonalData(
        model="otp_totp.TOTPDevice",
        export=owned_exporter("otp_totp.TOTPDevice", "user", ("name", "confirmed", "created_at")),
        erase=lambda person: TOTPDevice.objects.filter(user=person).delete(),
    )
)
