"""Protected-time requests: every allowed and refused transition, through the services."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import Conflict, DomainError, NotAllowed
from facilitation.models import ProtectedTimeDelegation, ProtectedTimeEvent, ProtectedTimeLine, ProtectedTimeRequest
from facilitation.services.delegations import protected_time_delegation_create, protected_time_delegation_revoke
from facilitation.services.protected_time import (
    protected_time_comment,
    protected_time_record_external,
    protected_time_request_draft,
    protected_time_submit,
    protected_time_withdraw,
)
from facilitation.services.protected_time_changes import protected_time_add_sessions, protected_time_sessions_changed
from facilitation.services.protected_time_decisions import (
    protected_time_approve,
    protected_time_bulk_approve,
    protected_time_decline,
)
from reminders.models import Reminder
from sessions.models import GroupSession
from tests.facilitation.factories_protected_time import drafted, small_cohort, submitted
from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory, UserFactory, enrol

pytestmark = [pytest.mark.protected_time, pytest.mark.django_db]
PT = ProtectedTimeRequest
Line = ProtectedTimeLine


def manager_of(request: PT):
    return request.enrolment.participant.line_manager


def statuses(request: PT) -> list[str]:
    return list(request.lines.order_by("starts_at").values_list("decision", flat=True))


# Drafting ---------------------------------------------------------------------


def test_draft_has_one_line_per_session_with_buffered_hours(settings) -> None:
    settings.STEADY_PROTECTED_TIME_BUFFER_MINUTES = 30
    cohort = small_cohort(weeks=4, session_minutes=120)
    request = drafted(cohort)
    assert request.status == PT.Status.DRAFT
    assert request.lines.count() == 4
    assert set(request.lines.values_list("minutes", flat=True)) == {150}
    assert request.total_hours == 10.0
    assert ProtectedTimeEvent.objects.filter(request=request, action="drafted").count() == 1


def test_place_confirmed_mid_programme_asks_only_for_sessions_ahead() -> None:
    cohort = small_cohort(weeks=4)
    first, second, *_ = cohort.group_sessions.order_by("starts_at")
    GroupSession.objects.filter(pk__in=[first.pk, second.pk]).update(
        starts_at=timezone.now() - timedelta(days=8), ends_at=timezone.now() - timedelta(days=8) + timedelta(hours=2)
    )
    request = drafted(cohort)
    covered = set(request.lines.values_list("group_session_id", flat=True))
    assert first.pk not in covered and second.pk not in covered
    assert request.lines.count() == 2


def test_draft_is_idempotent() -> None:
    request = drafted()
    again = protected_time_request_draft(enrolment=request.enrolment)
    assert again.pk == request.pk
    assert PT.objects.count() == 1
    assert request.lines.count() == 4
    assert ProtectedTimeEvent.objects.filter(request=request, action="drafted").count() == 1


def test_draft_refused_for_withdrawn_place() -> None:
    enrolment = enrol(small_cohort())
    enrolment.status = "withdrawn"
    enrolment.place_number = None
    enrolment.save()
    with pytest.raises(NotAllowed, match="withdrawn"):
        protected_time_request_draft(enrolment=enrolment)
    assert not PT.objects.exists()


# Submitting ------------------------------------------------------------------


def test_participant_submits_and_manager_is_told() -> None:
    request = submitted()
    assert request.status == PT.Status.SUBMITTED
    assert request.awaiting_since is not None
    reminder = Reminder.objects.get(kind="protected_time_submitted")
    assert reminder.recipient == manager_of(request)


def test_facilitator_submits_on_behalf() -> None:
    request = drafted()
    facilitator = request.enrolment.cohort.facilitators.first()
    protected_time_submit(request=request, actor=facilitator)
    event = ProtectedTimeEvent.objects.get(request=request, action="submitted")
    assert event.actor == facilitator
    assert event.on_behalf_of == request.enrolment.participant


def test_submit_refused_for_stranger_twice_and_without_manager() -> None:
    request = drafted()
    with pytest.raises(NotAllowed, match="Only the participant"):
        protected_time_submit(request=request, actor=FacilitatorFactory())
    protected_time_submit(request=request, actor=request.enrolment.participant)
    with pytest.raises(NotAllowed, match="already been sent"):
        protected_time_submit(request=request, actor=request.enrolment.participant)
    orphan = drafted(participant=ParticipantFactory(line_manager=None))
    with pytest.raises(NotAllowed, match="no line manager"):
        protected_time_submit(request=orphan, actor=orphan.enrolment.participant)
    orphan.refresh_from_db()
    assert orphan.status == PT.Status.DRAFT


# Deciding --------------------------------------------------------------------


def test_manager_approves_all() -> None:
    request = submitted()
    protected_time_approve(request=request, actor=manager_of(request))
    request.refresh_from_db()
    assert request.status == PT.Status.APPROVED
    assert request.awaiting_since is None
    assert set(statuses(request)) == {"approved"}
    assert Reminder.objects.filter(kind="protected_time_decided", recipient=request.enrolment.participant).exists()
    assert Reminder.objects.get(kind="protected_time_submitted").status == Reminder.Status.CANCELLED


def test_partial_approval_then_decline_of_the_rest_is_partly_approved() -> None:
    request = submitted()
    manager = manager_of(request)
    first, second, *_rest = request.lines.order_by("starts_at")
    protected_time_approve(request=request, actor=manager, line_ids=[first.pk, second.pk])
    request.refresh_from_db()
    assert request.status == PT.Status.SUBMITTED
    assert statuses(request) == ["approved", "approved", "pending", "pending"]
    protected_time_decline(request=request, actor=manager, reason="Short-staffed on those days")
    request.refresh_from_db()
    assert request.status == PT.Status.PARTLY_APPROVED
    assert statuses(request) == ["approved", "approved", "declined", "declined"]
    declined = ProtectedTimeEvent.objects.get(request=request, action="declined")
    assert declined.comment == "Short-staffed on those days"
    assert declined.lines.count() == 2


def test_decline_all_is_declined_and_needs_a_reason() -> None:
    request = submitted()
    with pytest.raises(DomainError, match="reason"):
        protected_time_decline(request=request, actor=manager_of(request), reason="  ")
    request.refresh_from_db()
    assert request.status == PT.Status.SUBMITTED
    assert set(statuses(request)) == {"pending"}
    protected_time_decline(request=request, actor=manager_of(request), reason="Ward closure")
    request.refresh_from_db()
    assert request.status == PT.Status.DECLINED


def test_approving_a_session_twice_is_refused_and_changes_nothing() -> None:
    request = submitted()
    manager = manager_of(request)
    first = request.lines.order_by("starts_at").first()
    protected_time_approve(request=request, actor=manager, line_ids=[first.pk])
    version = PT.objects.get(pk=request.pk).version
    with pytest.raises(NotAllowed, match="Week 1 is already approved"):
        protected_time_approve(request=request, actor=manager, line_ids=[first.pk])
    assert PT.objects.get(pk=request.pk).version == version
    assert ProtectedTimeEvent.objects.filter(request=request, action="approved").count() == 1


def test_approving_when_all_decided_is_refused() -> None:
    request = submitted()
    protected_time_approve(request=request, actor=manager_of(request))
    with pytest.raises(NotAllowed, match="already been decided"):
        protected_time_approve(request=request, actor=manager_of(request))


def test_approving_a_line_of_another_request_is_refused() -> None:
    request = submitted()
    other = submitted()
    with pytest.raises(NotAllowed, match="not part of this request"):
        protected_time_approve(request=request, actor=manager_of(request), line_ids=[other.lines.first().pk])
    assert set(statuses(request)) == {"pending"}


def test_deciding_a_draft_or_withdrawn_request_is_refused() -> None:
    request = drafted()
    with pytest.raises(NotAllowed, match="not been sent"):
        protected_time_approve(request=request, actor=manager_of(request))
    request = submitted()
    protected_time_withdraw(request=request, actor=request.enrolment.participant)
    with pytest.raises(NotAllowed, match="withdrawn"):
        protected_time_approve(request=request, actor=manager_of(request))
    with pytest.raises(NotAllowed, match="withdrawn"):
        protected_time_decline(request=request, actor=manager_of(request), reason="No")
    assert set(statuses(request)) == {"pending"}


def test_someone_elses_manager_cannot_decide() -> None:
    request = submitted()
    with pytest.raises(NotAllowed, match="Only the line manager"):
        protected_time_approve(request=request, actor=ManagerFactory())
    assert PT.objects.get(pk=request.pk).status == PT.Status.SUBMITTED


def test_stale_version_is_refused_with_a_clear_message() -> None:
    request = submitted()
    seen = PT.objects.get(pk=request.pk).version
    protected_time_approve(request=request, actor=manager_of(request), expected_version=seen)
    with pytest.raises(Conflict, match="changed while you were looking"):
        protected_time_decline(request=request, actor=manager_of(request), reason="No cover", expected_version=seen)
    assert PT.objects.get(pk=request.pk).status == PT.Status.APPROVED


def test_bulk_approve_is_all_or_nothing() -> None:
    manager = ManagerFactory()
    one = submitted(participant=ParticipantFactory(line_manager=manager))
    two = submitted(participant=ParticipantFactory(line_manager=manager))
    three = submitted(participant=ParticipantFactory(line_manager=manager))
    protected_time_withdraw(request=three, actor=three.enrolment.participant)
    with pytest.raises(NotAllowed, match="withdrawn"):
        protected_time_bulk_approve(requests=[one, two, three], actor=manager)
    assert PT.objects.get(pk=one.pk).status == PT.Status.SUBMITTED
    protected_time_bulk_approve(requests=[one, two], actor=manager)
    assert set(PT.objects.filter(pk__in=[one.pk, two.pk]).values_list("status", flat=True)) == {"approved"}


def test_comment_is_recorded_for_manager_and_refused_for_stranger() -> None:
    request = submitted()
    protected_time_comment(request=request, actor=manager_of(request), comment="Fine by me, swap Tuesday")
    assert ProtectedTimeEvent.objects.filter(request=request, action="commented").count() == 1
    with pytest.raises(NotAllowed):
        protected_time_comment(request=request, actor=ManagerFactory(), comment="Hello")
    with pytest.raises(DomainError, match="Write a comment"):
        protected_time_comment(request=request, actor=manager_of(request), comment=" ")


# Withdrawing -----------------------------------------------------------------


def test_withdraw_from_every_live_state_and_not_twice() -> None:
    for make in (drafted, submitted):
        request = make()
        protected_time_withdraw(request=request, actor=request.enrolment.participant)
        assert PT.objects.get(pk=request.pk).status == PT.Status.WITHDRAWN
    request = submitted()
    protected_time_approve(request=request, actor=manager_of(request))
    protected_time_withdraw(request=request, actor=request.enrolment.cohort.facilitators.first())
    assert PT.objects.get(pk=request.pk).status == PT.Status.WITHDRAWN
    with pytest.raises(NotAllowed, match="already been withdrawn"):
        protected_time_withdraw(request=request, actor=request.enrolment.participant)
    with pytest.raises(NotAllowed, match="Only the participant"):
        protected_time_withdraw(request=submitted(), actor=UserFactory())


def test_withdraw_cancels_pending_reminders() -> None:
    request = submitted()
    protected_time_withdraw(request=request, actor=request.enrolment.participant)
    assert not Reminder.objects.filter(status=Reminder.Status.PENDING).exists()


# No manager on file ------------------------------------------------------------


def test_facilitator_records_time_agreed_outside_steady() -> None:
    request = drafted(participant=ParticipantFactory(line_manager=None))
    facilitator = request.enrolment.cohort.facilitators.first()
    with pytest.raises(DomainError, match="note"):
        protected_time_record_external(request=request, actor=facilitator, note="")
    protected_time_record_external(request=request, actor=facilitator, note="Agreed by phone with the matron")
    request.refresh_from_db()
    assert request.status == PT.Status.APPROVED
    assert request.external_note == "Agreed by phone with the matron"
    assert set(statuses(request)) == {"approved"}


def test_record_external_refused_with_manager_by_stranger_or_twice() -> None:
    with_manager = drafted()
    facilitator = with_manager.enrolment.cohort.facilitators.first()
    with pytest.raises(NotAllowed, match="has a line manager"):
        protected_time_record_external(request=with_manager, actor=facilitator, note="ok")
    orphan = drafted(participant=ParticipantFactory(line_manager=None))
    with pytest.raises(NotAllowed, match="Only a facilitator"):
        protected_time_record_external(request=orphan, actor=FacilitatorFactory(), note="ok")
    protected_time_record_external(request=orphan, actor=orphan.enrolment.cohort.facilitators.first(), note="ok")
    with pytest.raises(NotAllowed, match="not been sent"):
        protected_time_record_external(request=orphan, actor=orphan.enrolment.cohort.facilitators.first(), note="again")


# Sessions that move or are added ------------------------------------------------


def move(session: GroupSession, *, days: int) -> datetime.datetime:
    old = session.starts_at
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at + timedelta(days=days),
        ends_at=session.ends_at + timedelta(days=days),
        local_date=session.local_date + timedelta(days=days),
    )
    return old


def test_moved_session_after_approval_goes_back_alone_with_old_and_new_times() -> None:
    request = submitted()
    manager = manager_of(request)
    protected_time_approve(request=request, actor=manager)
    cycle = PT.objects.get(pk=request.pk).cycle
    lines = list(request.lines.order_by("starts_at"))
    session = lines[2].group_session
    old = move(session, days=1)
    assert protected_time_sessions_changed(group_session=session, old_starts_at=old) == 1
    request.refresh_from_db()
    assert request.status == PT.Status.SUBMITTED
    assert request.cycle == cycle + 1
    assert statuses(request) == ["approved", "approved", "pending", "approved"]
    moved = Line.objects.get(pk=lines[2].pk)
    assert moved.previous_starts_at == old
    assert moved.starts_at == old + timedelta(days=1)
    assert moved.previous_decision == "approved"
    # Only the moved line is waiting: approving all now approves just that one.
    protected_time_approve(request=request, actor=manager)
    request.refresh_from_db()
    assert request.status == PT.Status.APPROVED
    assert ProtectedTimeEvent.objects.filter(request=request, action="approved").last().lines.count() == 1


def test_unchanged_session_changes_nothing_and_draft_just_follows() -> None:
    request = drafted()
    session = request.lines.first().group_session
    assert protected_time_sessions_changed(group_session=session, old_starts_at=session.starts_at) == 0
    old = move(session, days=7)
    protected_time_sessions_changed(group_session=session, old_starts_at=old)
    line = request.lines.get(group_session=session)
    assert line.starts_at == old + timedelta(days=7)
    assert line.previous_starts_at is None
    assert PT.objects.get(pk=request.pk).status == PT.Status.DRAFT


def test_boosters_added_later_go_to_the_manager() -> None:
    cohort = small_cohort()
    request = submitted(cohort)
    protected_time_approve(request=request, actor=manager_of(request))
    last = cohort.group_sessions.order_by("-starts_at").first()
    GroupSession.objects.create(
        cohort=cohort,
        session_plan=cohort.programme.session_plans.get(kind="booster", number=1),
        kind="booster",
        number=1,
        planned_date=last.local_date + timedelta(weeks=4),
        local_date=last.local_date + timedelta(weeks=4),
        starts_at=last.starts_at + timedelta(weeks=4),
        ends_at=last.ends_at + timedelta(weeks=4),
    )
    assert protected_time_add_sessions(cohort=cohort) == 1
    assert protected_time_add_sessions(cohort=cohort) == 0
    request.refresh_from_db()
    assert request.status == PT.Status.SUBMITTED
    assert statuses(request) == ["approved"] * 4 + ["pending"]


# Delegation ------------------------------------------------------------------------


def test_deputy_decides_within_dates_and_the_record_shows_it() -> None:
    request = submitted()
    manager = manager_of(request)
    deputy = UserFactory()  # a staff member, not a manager
    today = timezone.localdate()
    protected_time_delegation_create(manager=manager, deputy=deputy, starts_on=today, ends_on=today + timedelta(days=7))
    protected_time_approve(request=request, actor=deputy, comment="Covering for Helen")
    event = ProtectedTimeEvent.objects.get(request=request, action="approved")
    assert event.actor == deputy
    assert event.on_behalf_of == manager
    assert Line.objects.filter(request=request, decided_by=deputy).count() == 4


def test_deputy_outside_dates_or_after_revocation_cannot_decide() -> None:
    request = submitted()
    manager = manager_of(request)
    deputy = ManagerFactory()
    today = timezone.localdate()
    future = protected_time_delegation_create(
        manager=manager, deputy=deputy, starts_on=today + timedelta(days=3), ends_on=today + timedelta(days=5)
    )
    with pytest.raises(NotAllowed):
        protected_time_approve(request=request, actor=deputy)
    current = protected_time_delegation_create(manager=manager, deputy=deputy, starts_on=today, ends_on=today)
    protected_time_delegation_revoke(delegation=current, actor=manager)
    with pytest.raises(NotAllowed):
        protected_time_approve(request=request, actor=deputy)
    with pytest.raises(NotAllowed, match="already ended"):
        protected_time_delegation_revoke(delegation=current, actor=manager)
    with pytest.raises(NotAllowed, match="Only the manager"):
        protected_time_delegation_revoke(delegation=future, actor=deputy)
    assert PT.objects.get(pk=request.pk).status == PT.Status.SUBMITTED


def test_delegation_refuses_self_bad_dates_and_non_managers() -> None:
    manager = ManagerFactory()
    today = timezone.localdate()
    with pytest.raises(DomainError, match="other than yourself"):
        protected_time_delegation_create(manager=manager, deputy=manager, starts_on=today, ends_on=today)
    with pytest.raises(DomainError, match="on or after"):
        protected_time_delegation_create(
            manager=manager, deputy=UserFactory(), starts_on=today, ends_on=today - timedelta(days=1)
        )
    with pytest.raises(DomainError, match="in the past"):
        protected_time_delegation_create(
            manager=manager,
            deputy=UserFactory(),
            starts_on=today - timedelta(days=9),
            ends_on=today - timedelta(days=2),
        )
    with pytest.raises(NotAllowed):
        protected_time_delegation_create(manager=UserFactory(), deputy=UserFactory(), starts_on=today, ends_on=today)
    assert not ProtectedTimeDelegation.objects.exists()


def test_second_move_after_reapproval_shows_the_times_last_approved() -> None:
    request = submitted()
    manager = manager_of(request)
    protected_time_approve(request=request, actor=manager)
    session = request.lines.order_by("starts_at").first().group_session
    original = move(session, days=1)
    protected_time_sessions_changed(group_session=session, old_starts_at=original)
    protected_time_approve(request=request, actor=manager)
    session.refresh_from_db()
    second = move(session, days=1)
    protected_time_sessions_changed(group_session=session, old_starts_at=second)
    line = request.lines.get(group_session=session)
    assert line.previous_starts_at == original + timedelta(days=1)
    assert line.starts_at == original + timedelta(days=2)
    assert line.decision == "pending"


def test_cancelled_session_leaves_the_request_and_the_status_follows() -> None:
    request = submitted()
    manager = manager_of(request)
    lines = list(request.lines.order_by("starts_at"))
    protected_time_approve(request=request, actor=manager, line_ids=[line.pk for line in lines[:3]])
    GroupSession.objects.filter(pk=lines[3].group_session_id).update(status="cancelled")
    protected_time_sessions_changed(group_session=lines[3].group_session)
    request.refresh_from_db()
    assert request.lines.count() == 3
    assert request.status == PT.Status.APPROVED
    assert request.awaiting_since is None
