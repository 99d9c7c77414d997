from __future__ import annotations

import segno
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import TwoFactorPolicy, User
from core.links import role_home_url_name

# The policy is one row.
TWO_FACTOR_POLICY_PK = 1


def home_url_name_for(user: User) -> str:
    """Return the URL name of the home page a user lands on after signing in."""
    roles = user.roles
    return role_home_url_name(roles[0]) if roles else "accounts:no_role"


def two_factor_policy_get() -> TwoFactorPolicy:
    """The policy row (an unsaved one, nothing required, until the service lead first saves it)."""
    return TwoFactorPolicy.objects.filter(pk=TWO_FACTOR_POLICY_PK).first() or TwoFactorPolicy(pk=TWO_FACTOR_POLICY_PK)


def two_factor_required_for(*, user: User) -> bool:
    """Return whether ``user`` must sign in with a code (only facilitators and service leads can be asked)."""
    if not (user.is_facilitator or user.is_service_lead):
        return False
    return two_factor_policy_get().applies_to(user)


def two_factor_device_for(*, user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator, if they set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def two_factor_qr_svg(*, config_url: str) -> str:
    """The authenticator address as a QR code, an inline SVG drawn here (no image service, no network)."""
    return segno.make(config_url, error="m").svg_inline(scale=5, dark="#1f2d3a", light="#ffffff")


def user_get_active(*, pk: int) -> User | None:
    """The active person with this id, or None."""
    return User.objects.filter(pk=pk, is_active=True).first()
