"""Reads for joining a group: whether it is closed to newcomers, who close at work is already in it, what comes next."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower, Trim
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from sessions.models import Cohort, Enrolment, GroupSession, PlaceOverride


def cohort_join_closed(*, cohort: Cohort) -> bool:
    """Whether the group is closed to newcomers: its programme's cut-off week (or a later one) is held.

    A week counts as held once it is marked held or its time has passed (a facilitator may mark it late).
    A programme without a cut-off week never closes. One query.
    """
    week = cohort.programme.join_closes_after_week
    if week is None:
        return False
    return (
        GroupSession.objects.filter(cohort_id=cohort.pk, kind=GroupSession.Kind.WEEKLY, number__gte=week)
        .filter(
            Q(status=GroupSession.Status.HELD) | Q(status=GroupSession.Status.SCHEDULED, ends_at__lte=timezone.now())
        )
        .exists()
    )


def cohort_next_suggestion(*, cohort: Cohort) -> Cohort | None:
    """The next cohort of the same programme (any version) that has not started, to offer instead."""
    return (
        Cohort.objects.filter(
            programme__family=cohort.programme.family,
            status__in=(Cohort.Status.PLANNING, Cohort.Status.RECRUITING),
            start_date__gt=max(cohort.start_date, timezone.localdate()),
        )
        .exclude(pk=cohort.pk)
        .order_by("start_date", "pk")
        .first()
    )


@dataclass(frozen=True)
class SafenessConflict:
    """Someone close to ``person`` at work who is already in the cohort (as a participant or a facilitator)."""

    other: User
    relation: str  # "line_manager", "direct_report" or "same_team"
    facilitating: bool

    def describe(self) -> str:
        where = _("facilitates this group") if self.facilitating else _("is already in this group")
        if self.relation == "line_manager":
            return _("Their line manager, %(name)s, %(where)s.") % {"name": self.other.full_name, "where": where}
        if self.relation == "direct_report":
            return _("Someone they line-manage, %(name)s, %(where)s.") % {"name": self.other.full_name, "where": where}
        return _("%(name)s, from the same team, %(where)s.") % {"name": self.other.full_name, "where": where}


def safeness_conflicts(*, cohort: Cohort, person: User) -> list[SafenessConflict]:
    """People in ``cohort`` (places not ended, and facilitators) close to ``person`` at work. One query.

    Line manager and direct reports always count; the same team counts when the service turns
    ``STEADY_SAFENESS_SAME_TEAM`` on (off by default: a large team is not a close one).
    """
    close = Q(line_manager_id=person.pk)
    if person.line_manager_id:
        close |= Q(pk=person.line_manager_id)
    same_team = settings.STEADY_SAFENESS_SAME_TEAM and bool(person.team.strip())
    if same_team:
        close |= Q(team_key=person.team.strip().lower())
    facilitating = cohort.facilitators.through.objects.filter(cohort_id=cohort.pk, user_id=OuterRef("pk"))
    in_group = Enrolment.objects.filter(
        cohort_id=cohort.pk, participant_id=OuterRef("pk"), status__in=Enrolment.ACTIVE_STATUSES
    )
    people = (
        User.objects.annotate(team_key=Lower(Trim("team")))
        .filter(close)
        .exclude(pk=person.pk)
        .annotate(facilitating=Exists(facilitating), in_group=Exists(in_group))
        .filter(Q(facilitating=True) | Q(in_group=True))
        .order_by("first_name", "last_name", "pk")
    )
    conflicts = []
    for other in people:
        if other.pk == person.line_manager_id:
            relation = "line_manager"
        elif other.line_manager_id == person.pk:
            relation = "direct_report"
        else:
            relation = "same_team"
        conflicts.append(SafenessConflict(other=other, relation=relation, facilitating=other.facilitating))
    return conflicts


def place_override_exists(*, cohort: Cohort, email: str, kind: str) -> bool:
    """Whether a facilitator already recorded a reason to go ahead for this person (by email) in this cohort."""
    return PlaceOverride.objects.filter(cohort_id=cohort.pk, email=email.strip().lower(), kind=kind).exists()
