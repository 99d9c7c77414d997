"""The three check-ins the information pack describes, prompted on the participant's home at the right time.

- before the group: from the invitation until the first weekly session starts;
- around the middle: from the start of week 5 until the end of week 8 (the pack says "around week 6");
- at the end: from the start of the last-but-one weekly session until four weeks after the last.

A prompt goes once a check-in of that kind is booked or held (a cancelled or missed one prompts again).
Three queries whatever the number of places.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from sessions.models import CheckIn, Cohort, Enrolment, GroupSession

MID_FROM_WEEK, MID_UNTIL_WEEK = 5, 8
END_PROMPT_AFTER_LAST = timedelta(weeks=4)
PROMPTED_KINDS = (CheckIn.Kind.PRE_GROUP, CheckIn.Kind.MID_PROGRAMME, CheckIn.Kind.END_OF_PROGRAMME)


@dataclass(frozen=True)
class CheckinPrompt:
    cohort: Cohort
    kind: str

    @property
    def label(self) -> str:
        return CheckIn.Kind(self.kind).label


def _due_kinds(*, enrolment: Enrolment, weeks: list[GroupSession], now: datetime) -> list[str]:
    if not weeks:
        return []
    first, last = weeks[0], weeks[-1]
    by_number = {s.number: s for s in weeks}
    due = []
    if enrolment.status in Enrolment.ACTIVE_STATUSES and now < first.starts_at:
        due.append(CheckIn.Kind.PRE_GROUP)
    if enrolment.status == Enrolment.Status.ENROLLED:
        mid_from = by_number.get(MID_FROM_WEEK, first).starts_at
        mid_until = by_number.get(MID_UNTIL_WEEK, last).ends_at
        if mid_from <= now < mid_until:
            due.append(CheckIn.Kind.MID_PROGRAMME)
    end_from = weeks[-2].starts_at if len(weeks) >= 2 else last.starts_at
    if enrolment.status in Enrolment.PLACE_STATUSES and end_from <= now < last.ends_at + END_PROMPT_AFTER_LAST:
        due.append(CheckIn.Kind.END_OF_PROGRAMME)
    return due


def checkin_prompts_for(
    *, user: User, now: datetime | None = None, enrolments: list[Enrolment] | None = None
) -> list[CheckinPrompt]:
    """The pack's check-ins due now for ``user``, not yet booked or held.

    ``enrolments``: the user's places (any status, with ``cohort__programme``, in the model's order) when the
    caller has read them already (one query fewer).
    """
    now = now or timezone.now()
    prompted = (*Enrolment.ACTIVE_STATUSES, Enrolment.Status.COMPLETED)
    if enrolments is None:
        enrolments = list(
            Enrolment.objects.filter(participant=user, status__in=prompted).select_related("cohort__programme")
        )
    enrolments = [e for e in enrolments if e.status in prompted]
    if not enrolments:
        return []
    weeks: dict[int, list[GroupSession]] = defaultdict(list)
    rows = (
        GroupSession.objects.filter(cohort__in=[e.cohort_id for e in enrolments], kind=GroupSession.Kind.WEEKLY)
        .exclude(status=GroupSession.Status.CANCELLED)
        .order_by("cohort_id", "number")
    )
    for group_session in rows:
        weeks[group_session.cohort_id].append(group_session)
    done = set(
        CheckIn.objects.filter(
            participant=user,
            kind__in=PROMPTED_KINDS,
            status__in=(CheckIn.Status.BOOKED, CheckIn.Status.HELD),
        ).values_list("cohort_id", "kind")
    )
    prompts = []
    for enrolment in enrolments:
        for kind in _due_kinds(enrolment=enrolment, weeks=weeks[enrolment.cohort_id], now=now):
            if (enrolment.cohort_id, kind) in done:
                continue
            if kind == CheckIn.Kind.PRE_GROUP and enrolment.cohort.programme.pre_group_checkin_required:
                continue  # already asked for, above the place it blocks
            prompts.append(CheckinPrompt(cohort=enrolment.cohort, kind=kind))
    return prompts
