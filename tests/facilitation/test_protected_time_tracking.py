"""The tracking ladder: reminder after 2 working days, escalation after 5, alert 72 h before the first session.

Each step fires once per request, even when the job runs twice or two beats run it at the same moment.
"""

from __future__ import annotations

import datetime
import threading
import zoneinfo
from datetime import timedelta

import pytest
import time_machine
from celery.schedules import crontab
from django.db import close_old_connections, connection
from django.utils import timezone

from config.celery_app import app
from core.errors import DomainError
from core.models import EscalationStep
from core.tasks import escalation_ladders_walk
from facilitation.models import ProtectedTimeRequest
from facilitation.services.delegations import protected_time_delegation_create
from facilitation.services.protected_time_changes import protected_time_sessions_changed
from facilitation.services.protected_time_decisions import protected_time_approve, protected_time_decline
from facilitation.services.protected_time_tracking import protected_time_escalation_fire
from facilitation.tasks import protected_time_track, protected_time_weekly_digest
from reminders.models import Reminder
from sessions.models import GroupSession
from tests.facilitation.factories_protected_time import small_cohort, submitted
from tests.factories import ManagerFactory, ParticipantFactory, ServiceLeadFactory

pytestmark = [pytest.mark.protected_time]
LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def kinds() -> list[tuple[str, int]]:
    return sorted(Reminder.objects.values_list("kind", "recipient_id"))


@pytest.mark.django_db
def test_ladder_fires_each_step_once_even_when_the_job_runs_twice() -> None:
    lead = ServiceLeadFactory()
    with time_machine.travel(at(2027, 3, 1, 10, 0), tick=False):  # a Monday
        cohort = small_cohort(start_date=datetime.date(2027, 4, 6))
        request = submitted(cohort)
        manager = request.enrolment.participant.line_manager
        facilitator = cohort.facilitators.get()
    before = len(kinds())
    with time_machine.travel(at(2027, 3, 2, 16, 0), tick=False):  # one working day
        assert protected_time_track() == 0
    with time_machine.travel(at(2027, 3, 3, 10, 1), tick=False):  # two working days
        assert protected_time_track() == 1
        assert protected_time_track() == 0
    reminders = Reminder.objects.filter(kind="protected_time_manager_reminder")
    assert list(reminders.values_list("recipient_id", flat=True)) == [manager.pk]
    with time_machine.travel(at(2027, 3, 5, 10, 1), tick=False):  # four working days: nothing new
        assert protected_time_track() == 0
    with time_machine.travel(at(2027, 3, 8, 10, 1), tick=False):  # Monday: five working days
        assert protected_time_track() == 1
        assert protected_time_track() == 0
    escalated = set(Reminder.objects.filter(kind="protected_time_escalation").values_list("recipient_id", flat=True))
    assert escalated == {facilitator.pk, lead.pk}
    assert Reminder.objects.filter(kind="protected_time_escalation").count() == 2
    assert EscalationStep.objects.filter(ladder="protected_time", subject_id=request.pk).count() == 2
    assert len(kinds()) == before + 3


@pytest.mark.django_db
def test_bank_holidays_are_not_working_days() -> None:
    with time_machine.travel(at(2027, 3, 25, 10, 0), tick=False):  # Thursday before Easter 2027
        request = submitted(small_cohort(start_date=datetime.date(2027, 5, 4)))
    with time_machine.travel(at(2027, 3, 30, 12, 0), tick=False):  # Good Friday and Easter Monday skipped
        assert protected_time_track() == 0
    with time_machine.travel(at(2027, 3, 31, 10, 0), tick=False):
        assert protected_time_track() == 1
    assert EscalationStep.objects.get(ladder="protected_time", subject_id=request.pk).step == "manager_reminder"


@pytest.mark.django_db
def test_decided_request_is_not_chased() -> None:
    with time_machine.travel(at(2027, 3, 1, 10, 0), tick=False):
        request = submitted(small_cohort(start_date=datetime.date(2027, 4, 6)))
        protected_time_approve(request=request, actor=request.enrolment.participant.line_manager)
    with time_machine.travel(at(2027, 3, 15, 10, 0), tick=False):
        assert protected_time_track() == 0
    assert not EscalationStep.objects.exists()


@pytest.mark.django_db
def test_ladder_starts_again_once_when_a_moved_session_goes_back_to_the_manager() -> None:

    with time_machine.travel(at(2027, 3, 1, 10, 0), tick=False):
        request = submitted(small_cohort(start_date=datetime.date(2027, 4, 6)))
    with time_machine.travel(at(2027, 3, 3, 11, 0), tick=False):
        assert protected_time_track() == 1
        protected_time_approve(request=request, actor=request.enrolment.participant.line_manager)
    with time_machine.travel(at(2027, 3, 10, 9, 0), tick=False):  # a Wednesday
        session = request.lines.last().group_session
        old = session.starts_at
        GroupSession.objects.filter(pk=session.pk).update(
            starts_at=old + timedelta(days=1), ends_at=session.ends_at + timedelta(days=1)
        )
        protected_time_sessions_changed(group_session=session, old_starts_at=old)
    with time_machine.travel(at(2027, 3, 12, 9, 1), tick=False):
        assert protected_time_track() == 1
        assert protected_time_track() == 0
    assert Reminder.objects.filter(kind="protected_time_manager_reminder").count() == 2


@pytest.mark.django_db
def test_first_session_within_72_hours_without_approved_time_alerts_participant_and_facilitator() -> None:
    with time_machine.travel(at(2027, 3, 1, 9, 0), tick=False):
        cohort = small_cohort(start_date=datetime.date(2027, 3, 4))  # Thursday 13:00
        waiting = submitted(cohort)
        approved = submitted(cohort)
        protected_time_approve(request=approved, actor=approved.enrolment.participant.line_manager)
    with time_machine.travel(at(2027, 3, 1, 12, 59), tick=False):  # 72 h and a minute before
        assert protected_time_track() == 0
    with time_machine.travel(at(2027, 3, 1, 14, 0), tick=False):
        assert protected_time_track() == 1
        assert protected_time_track() == 0
    alerts = Reminder.objects.filter(kind="protected_time_first_session_alert")
    assert set(alerts.values_list("recipient_id", flat=True)) == {
        waiting.enrolment.participant_id,
        cohort.facilitators.get().pk,
    }
    assert alerts.filter(subject_id=str(approved.pk)).count() == 0


@pytest.mark.django_db
def test_weekly_digest_once_per_manager_and_week(eager_celery) -> None:
    manager = ManagerFactory()
    with time_machine.travel(at(2027, 3, 1, 8, 0), tick=False):
        cohort = small_cohort(start_date=datetime.date(2027, 4, 6))
        submitted(cohort, ParticipantFactory(line_manager=manager))
        submitted(cohort, ParticipantFactory(line_manager=manager))
        quiet = submitted(cohort)
        protected_time_approve(request=quiet, actor=quiet.enrolment.participant.line_manager)
        assert protected_time_weekly_digest.delay().get() == 1
        protected_time_weekly_digest.delay()
    digests = Reminder.objects.filter(kind="protected_time_manager_digest")
    assert list(digests.values_list("recipient_id", flat=True)) == [manager.pk]
    assert digests.get().context["waiting_count"] == 2
    with time_machine.travel(at(2027, 3, 8, 8, 0), tick=False):
        protected_time_weekly_digest.delay()
    assert digests.count() == 2


def _race(targets: list) -> list:
    """Run each callable in its own thread and connection, all released at once; return results or errors."""
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)

    def run(index: int, target) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = target()
        except Exception as error:  # the refused one
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    close_old_connections()
    return results


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_the_same_moment_fire_each_step_once(require_postgres) -> None:
    with time_machine.travel(at(2027, 3, 1, 10, 0), tick=False):
        request = submitted(small_cohort(start_date=datetime.date(2027, 4, 6)))
    now = at(2027, 3, 8, 10, 1)

    def fire(level: str):
        return lambda: protected_time_escalation_fire(request_id=request.pk, level=level, now=now)

    results = _race([fire("escalation"), fire("escalation"), fire("manager_reminder"), fire("manager_reminder")])
    assert sorted(results) == [False, False, True, True]
    assert EscalationStep.objects.filter(ladder="protected_time", subject_id=request.pk).count() == 2
    assert Reminder.objects.filter(kind="protected_time_manager_reminder").count() == 1
    assert Reminder.objects.filter(kind="protected_time_escalation").count() == 1  # one facilitator, no lead


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_manager_and_deputy_deciding_at_once_one_wins_the_other_is_told(require_postgres) -> None:

    request = submitted()
    manager = request.enrolment.participant.line_manager
    deputy = ManagerFactory()
    protected_time_delegation_create(
        manager=manager, deputy=deputy, starts_on=timezone.localdate(), ends_on=timezone.localdate()
    )
    version = ProtectedTimeRequest.objects.get(pk=request.pk).version
    results = _race(
        [
            lambda: protected_time_approve(request=request, actor=manager, expected_version=version),
            lambda: protected_time_decline(request=request, actor=deputy, reason="No cover", expected_version=version),
        ]
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1
    assert isinstance(errors[0], DomainError)
    assert "changed" in errors[0].message
    request.refresh_from_db()
    assert request.status in {"approved", "declined"}
    assert request.events.filter(action__in=["approved", "declined"]).count() == 1
    assert set(request.lines.values_list("decision", flat=True)) == {request.status}


def test_beat_runs_the_tracking_and_digest_jobs() -> None:

    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert schedule["core.tasks.escalation_ladders_walk"] == 300.0
    digest = schedule["facilitation.tasks.protected_time_weekly_digest"]
    assert isinstance(digest, crontab)
    assert digest.day_of_week == {1}
    assert "facilitation.tasks.protected_time_track" in app.tasks
    assert escalation_ladders_walk.name in app.tasks
