"""Writes that publish or retire a programme version."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotAllowed
from programmes.models import Programme
from programmes.selectors import programme_problems


@transaction.atomic
def programme_publish(*, programme: Programme, by: AbstractBaseUser | None) -> Programme:
    """Publish a complete programme; earlier published versions of its family are retired."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status == Programme.Status.PUBLISHED:
        return programme
    problems = programme_problems(programme=programme)
    if problems:
        raise NotAllowed(_("This programme is not ready to publish: %(problems)s") % {"problems": " ".join(problems)})
    now = timezone.now()
    Programme.objects.filter(family=programme.family, status=Programme.Status.PUBLISHED).exclude(
        pk=programme.pk
    ).update(status=Programme.Status.RETIRED, retired_at=now, updated_by=by, updated_at=now)
    programme.status = Programme.Status.PUBLISHED
    programme.published_at = now
    programme.retired_at = None
    programme.updated_by = by
    programme.save(update_fields=["status", "published_at", "retired_at", "updated_by", "updated_at"])
    programme.information_packs.filter(published_at__isnull=True).update(published_at=now)
    return programme


@transaction.atomic
def programme_retire(*, programme: Programme, by: AbstractBaseUser | None) -> Programme:
    """Retire a programme: no new cohort may start it; running cohorts keep it."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status == Programme.Status.RETIRED:
        return programme
    programme.status = Programme.Status.RETIRED
    programme.retired_at = timezone.now()
    programme.updated_by = by
    programme.save(update_fields=["status", "retired_at", "updated_by", "updated_at"])
    return programme
