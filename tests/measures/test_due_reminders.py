"""Participants are reminded once per cohort and time point when its questionnaires open."""

from __future__ import annotations

import datetime

import pytest

from measures.reminder_kinds import QUESTIONNAIRE_DUE_KIND
from measures.services import questionnaire_reminders_schedule
from measures.tasks import questionnaire_reminders
from reminders.models import Reminder
from reminders.rendering import render_parts
from sessions.models import GroupSession
from tests.measures.builders import scheduled_cohort, scored

pytestmark = pytest.mark.measures


def test_one_reminder_per_person_and_time_point_and_none_once_sent(measures, facilitator):
    cohort, (amara, ben) = scheduled_cohort(measures, facilitators=[facilitator], participants=2)
    assert questionnaire_reminders_schedule() == 2
    assert questionnaire_reminders() == 0  # running again writes nothing new
    rows = Reminder.objects.filter(kind=QUESTIONNAIRE_DUE_KIND)
    assert sorted((r.recipient_id, r.occurrence) for r in rows) == sorted(
        [(amara.pk, "baseline"), (ben.pk, "baseline")]
    )
    # At week 6, Amara has sent both mid-programme questionnaires; Ben has not.
    week6 = GroupSession.objects.get(cohort=cohort, kind="weekly", number=6).starts_at
    scored(amara, cohort, measures["phq-9"], "mid", {"total": 5})
    scored(amara, cohort, measures["gad-7"], "mid", {"total": 5})
    assert questionnaire_reminders_schedule(now=week6 + datetime.timedelta(hours=1)) == 1
    assert rows.filter(occurrence="mid").get().recipient == ben
    # After the window, nothing.
    assert questionnaire_reminders_schedule(now=week6 + datetime.timedelta(days=29)) == 0


def test_the_reminder_is_neutral(measures, facilitator):
    scheduled_cohort(measures, facilitators=[facilitator], participants=1)
    questionnaire_reminders_schedule()
    subject, text, _html = render_parts(Reminder.objects.get(kind=QUESTIONNAIRE_DUE_KIND))
    assert subject.endswith(": a few short questions are ready for you")
    assert "/measures/mine/" in text
    for word in ("depress", "anxiety", "phq", "gad", "mental", "therapy"):
        assert word not in (subject + text).lower()
