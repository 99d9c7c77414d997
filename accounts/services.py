from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.models import TwoFactorPolicy, User
from accounts.selectors import TWO_FACTOR_POLICY_PK, two_factor_device_for, two_factor_required_for
from core import page_cache
from core.errors import DomainError, NotAllowed
from core.services import access_change_record


@transaction.atomic
def user_ensure(
    *,
    email: str,
    first_name: str,
    last_name: str = "",
    password: str | None = None,
    line_manager: User | None = None,
    **roles_and_details: object,
) -> User:
    """Return the user with ``email``, creating it with these details when missing."""
    user = User.objects.filter(email=email.lower()).first()
    if user is not None:
        return user
    return User.objects.create_user(
        email,
        password,
        first_name=first_name,
        last_name=last_name,
        line_manager=line_manager,
        **roles_and_details,
    )


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    """Turn ``user``'s account off and end every session they have open (``by`` is who did it).

    Django already refuses an inactive person on their next request; ending the sessions as well means
    turning the account back on later does not bring an old, possibly stolen, session back to life.
    """
    if user.pk == by.pk:
        raise DomainError(_("You cannot turn off your own account; ask another service lead."))
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        # Pages that name them (a co-facilitator's cover, a register) change; accounts knows no cohorts, and
        # turning an account off is rare: every kept page is made again.
        page_cache.bump(page_cache.EVERYTHING)
    user_sessions_end(user=user)
    return user


def user_sessions_end(*, user: User) -> int:
    """Delete every stored session signed in as ``user``; return how many ended."""
    return users_sessions_end(user_ids=[user.pk])


def users_sessions_end(*, user_ids: Iterable[int]) -> int:
    """Delete every stored session signed in as one of ``user_ids``; return how many ended.

    Sessions live in the database (Django's default engine), and a session names its person only inside
    its encoded data, so each unexpired one is decoded once: a few thousand rows at most in a service.
    """
    wanted = {str(pk) for pk in user_ids}
    if not wanted:
        return 0
    model = import_module(settings.SESSION_ENGINE).SessionStore.get_model_class()
    ended = [
        session.session_key
        for session in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get(SESSION_KEY)) in wanted
    ]
    model.objects.filter(session_key__in=ended).delete()
    return len(ended)


# ---- two-step sign-in (TOTP, django-otp) -------------------------------------------------------


def two_factor_key_new() -> str:
    """A new authenticator secret (hex, as django-otp stores it); kept in the session until confirmed."""
    return random_hex(20)


@transaction.atomic
def two_factor_device_confirm(*, user: User, key: str, token: str) -> TOTPDevice:
    """Turn on two-step sign-in for ``user`` with the secret ``key``, once a code from it checks out."""
    if two_factor_device_for(user=user) is not None:
        raise DomainError(_("Two-step sign-in is already on for your account."))
    device = TOTPDevice.objects.create(user=user, key=key, name=str(_("Authenticator app")), confirmed=False)
    if not device.verify_token((token or "").strip()):
        raise DomainError(
            _("That code did not match. Check the time on your phone and try the newest code."), field="code"
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


@transaction.atomic
def two_factor_device_remove(*, user: User, token: str) -> None:
    """Turn two-step sign-in off for ``user`` (a current code is needed); refused when their role requires it."""
    device = two_factor_device_for(user=user)
    if device is None:
        raise DomainError(_("Two-step sign-in is not on for your account."))
    if two_factor_required_for(user=user):
        raise NotAllowed(_("Your service lead requires two-step sign-in for your role, so it stays on."))
    if not two_factor_code_check(device=device, token=token):
        raise DomainError(_("That code did not match. Try the newest code from your app."), field="code")
    TOTPDevice.objects.filter(user=user).delete()


def two_factor_code_check(*, device: TOTPDevice, token: str) -> bool:
    """Check a sign-in code; django-otp records the try, and after failures makes the next ones wait longer."""
    allowed, _details = device.verify_is_allowed()
    return bool(allowed and device.verify_token((token or "").strip()))


@transaction.atomic
def two_factor_policy_update(
    *, by: User, required_for_facilitators: bool, required_for_service_leads: bool
) -> TwoFactorPolicy:
    """Set which roles must use two-step sign-in; people it newly binds who have not set it up are signed out.

    They set it up when they next sign in (the sign-in sends them to the setup page first).
    """
    if not by.is_service_lead:
        raise NotAllowed(_("Only the service lead decides who must use two-step sign-in."))
    if required_for_service_leads and two_factor_device_for(user=by) is None:
        raise DomainError(
            _("Set up two-step sign-in for your own account first, so you are not locked out."),
            field="required_for_service_leads",
        )
    policy = TwoFactorPolicy.objects.select_for_update().filter(pk=TWO_FACTOR_POLICY_PK).first()
    policy = policy or TwoFactorPolicy(pk=TWO_FACTOR_POLICY_PK)
    before = (policy.required_for_facilitators, policy.required_for_service_leads)
    policy.required_for_facilitators = required_for_facilitators
    policy.required_for_service_leads = required_for_service_leads
    policy.updated_by = by
    policy.save()
    if before != (required_for_facilitators, required_for_service_leads):
        # Who must use two-step sign-in is access to Steady: the change joins the access log.
        access_change_record(
            actor=by,
            subject=by,
            record=policy,
            action="two_factor_policy",
            detail=(
                f"{by} set two-step sign-in: facilitators {'required' if required_for_facilitators else 'optional'},"
                f" service leads {'required' if required_for_service_leads else 'optional'}"
            ),
        )
    bound = Q(pk__in=[])
    if required_for_facilitators:
        bound |= Q(is_facilitator=True)
    if required_for_service_leads:
        bound |= Q(is_service_lead=True)
    unenrolled = (
        User.objects.filter(bound)
        .exclude(pk=by.pk)
        .exclude(pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id"))
        .values_list("pk", flat=True)
    )
    users_sessions_end(user_ids=list(unenrolled))
    return policy
