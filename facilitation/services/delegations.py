"""Writes for deputies: a line manager lets someone decide their staff's requests while away."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import page_cache
from core.errors import DomainError, NotAllowed
from facilitation.models import ProtectedTimeDelegation


@transaction.atomic
def protected_time_delegation_create(
    *, manager: User, deputy: User, starts_on: date, ends_on: date
) -> ProtectedTimeDelegation:
    """Let ``deputy`` decide ``manager``'s staff's requests from ``starts_on`` to ``ends_on`` (inclusive)."""
    if not manager.is_manager:
        raise NotAllowed(_("Only a line manager can name a deputy."))
    if deputy.pk == manager.pk:
        raise DomainError(_("Choose someone other than yourself as deputy."), field="deputy")
    if not deputy.is_active:
        raise DomainError(_("That person's account is not active; choose someone else."), field="deputy")
    if ends_on < starts_on:
        raise DomainError(_("The last day must be on or after the first day."), field="ends_on")
    if ends_on < timezone.localdate():
        raise DomainError(_("The last day is in the past; choose a date from today on."), field="ends_on")
    delegation = ProtectedTimeDelegation.objects.create(
        manager=manager, deputy=deputy, starts_on=starts_on, ends_on=ends_on
    )
    # The manager's home lists their deputies; the deputy's inbox now holds the manager's staff.
    page_cache.bump(page_cache.person(manager.pk), page_cache.person(deputy.pk))
    return delegation


@transaction.atomic
def protected_time_delegation_revoke(*, delegation: ProtectedTimeDelegation, actor: User) -> ProtectedTimeDelegation:
    if actor.pk != delegation.manager_id:
        raise NotAllowed(_("Only the manager who named the deputy can end it."))
    updated = ProtectedTimeDelegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotAllowed(_("This delegation has already ended."))
    delegation.refresh_from_db()
    page_cache.bump(page_cache.person(delegation.manager_id), page_cache.person(delegation.deputy_id))
    return delegation
