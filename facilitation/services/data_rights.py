"""Erasing a person (right to erasure): identity and clinical records go, the figures stay."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core import page_cache
from core.errors import NotAllowed
from core.personal_data import erase_everything, is_erased_email
from core.services import audit_change_record
from sessions.models import Cohort, Enrolment


@transaction.atomic
def person_erase(*, actor: User, person: User) -> User:
    """Erase ``person`` (the service lead, after a confirm step).

    Every handler in ``core.personal_data`` runs: check-ins, help requests, answers, scores and risk
    alerts are deleted; withdrawal reasons, attendance notes and protected-time notes are blanked;
    places, attendance marks, response rows and protected-time lines are kept on the anonymised row
    so cohort figures stay right; the user row keeps its id but no name, email, password or role, and
    is inactive (its sessions end). The audit trail keeps its rows: they name the person by id, which
    now reads "Erased person". The erasure itself is the last row written about them.
    """
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.pk == actor.pk:
        raise NotAllowed(_("You cannot erase yourself; ask another service lead."))
    if is_erased_email(person.email):
        raise NotAllowed(_("This person has already been erased."))
    if person.is_superuser:
        raise NotAllowed(_("This person runs the site; take that access away first."))
    if Enrolment.objects.filter(
        participant=person, status__in=Enrolment.ACTIVE_STATUSES, cohort__status__in=Cohort.OPEN_STATUSES
    ).exists():
        raise NotAllowed(_("This person still has a place in a running group. Withdraw the place first."))
    line_manager_id = person.line_manager_id  # before the erasure; their inbox shows the person's requests
    audit_change_record(actor=actor, record=person, action="erased", subject=person)
    erase_everything(person)
    cohorts = Enrolment.objects.filter(participant=person).values_list("cohort_id", flat=True)
    page_cache.bump(
        page_cache.person(person.pk),
        *(page_cache.cohort(pk) for pk in cohorts),
        *([page_cache.person(line_manager_id)] if line_manager_id else []),
    )
    return person
