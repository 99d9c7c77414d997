from __future__ import annotations

import zoneinfo

import rules
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("'%(value)s' is not a time zone we know. Use a name such as Europe/London or America/Toronto."),
            params={"value": value},
        )


MODEL_PERMISSION_ACTIONS = ("add", "change", "delete", "view")


def is_model_permission(perm: str) -> bool:
    """Whether ``perm`` is one of the four permissions Django creates for every model."""
    codename = perm.rpartition(".")[2]
    return codename.partition("_")[0] in MODEL_PERMISSION_ACTIONS


class Role(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    FACILITATOR = "facilitator", _("Facilitator")
    MANAGER = "manager", _("Line manager")
    SERVICE_LEAD = "service_lead", _("Service lead")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        # No role: a superuser administers the system; being one opens no role's pages (accounts.decorators).
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to Steady. The email address is the login.

    One person may hold several roles: a ward manager can also be a
    participant in a group, and a facilitator can lead the service.
    """

    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    team = models.CharField(_("team or ward"), max_length=120, blank=True)
    directorate = models.CharField(_("directorate"), max_length=120, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    line_manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("line manager"),
        help_text=_("Approves this person's protected time."),
    )
    is_participant = models.BooleanField(_("participant"), default=False)
    is_facilitator = models.BooleanField(_("facilitator"), default=False)
    is_manager = models.BooleanField(_("line manager"), default=False)
    is_service_lead = models.BooleanField(_("service lead"), default=False)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name"]

    class Meta:
        ordering = ["first_name", "last_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=~Q(line_manager=models.F("id")),
                name="user_not_own_line_manager",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_absolute_url(self) -> str:
        return reverse("home")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name

    def has_perm(self, perm: str, obj: object = None) -> bool:
        """Ask Steady's own rules (roles, who may see what) even for a superuser.

        Django answers yes to every permission for a superuser; that stays so for the admin's
        model permissions (``add_``, ``change_``, ``delete_``, ``view_``), but a role or access rule
        is a fact about the person, which being a superuser does not make true.
        """
        if self.is_active and self.is_superuser and rules.perm_exists(perm) and not is_model_permission(perm):
            return rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    @property
    def roles(self) -> tuple[Role, ...]:
        """The roles this person holds, in the order their home pages are offered."""
        held = {
            Role.SERVICE_LEAD: self.is_service_lead,
            Role.FACILITATOR: self.is_facilitator,
            Role.MANAGER: self.is_manager,
            Role.PARTICIPANT: self.is_participant,
        }
        return tuple(role for role, has in held.items() if has)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class LineManagerRequest(models.Model):
    """A person names their line manager by email; the manager (by a one-use link) or the service lead confirms.

    Until it is confirmed nothing changes: ``User.line_manager`` is set only on confirmation.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REPLACED = "replaced", _("Replaced by a newer request")

    staff_member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="line_manager_requests")
    email = models.EmailField(_("line manager's work email"))
    first_name = models.CharField(_("their first name"), max_length=80)
    last_name = models.CharField(_("their last name"), max_length=80, blank=True)
    # Only a hash of the link's token is kept; the token itself is only in the email.
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff_member"], condition=Q(status="pending"), name="line_manager_request_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_member_id} names {self.email} ({self.status})"

    @property
    def manager_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class TwoFactorPolicy(models.Model):
    """Whether facilitators and service leads must sign in with a code as well as a password (one row).

    Anyone may set up two-step sign-in; the service lead decides whether these roles must.
    """

    required_for_facilitators = models.BooleanField(_("required for facilitators"), default=False)
    required_for_service_leads = models.BooleanField(_("required for service leads"), default=False)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("changed by")
    )

    class Meta:
        verbose_name = _("two-step sign-in policy")
        verbose_name_plural = _("two-step sign-in policy")

    def __str__(self) -> str:
        return str(_("Two-step sign-in policy"))

    def applies_to(self, user: User) -> bool:
        """Return whether ``user``'s roles must use two-step sign-in."""
        return (self.required_for_facilitators and user.is_facilitator) or (
            self.required_for_service_leads and user.is_service_lead
        )
