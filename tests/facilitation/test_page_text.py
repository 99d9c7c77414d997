"""Text made in Python for long lists (protected-time lines and summaries, the participant's sessions, the
service overview): the same words, dates and time zones the templates used to produce row by row."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from facilitation.models import ProtectedTimeLine
from facilitation.selectors.homes import lead_home, session_rows_label
from facilitation.templatetags.protected_time import DASH, line_rows, protected_time_lines, summary
from sessions.models import GroupSession
from sessions.selectors.cohorts import attach_next_sessions
from sessions.selectors.places import participant_groups
from tests.facilitation.factories_protected_time import small_cohort, submitted

pytestmark = [pytest.mark.django_db]

UTC = datetime.UTC


def test_line_rows_show_each_line_in_the_cohorts_time_zone_with_hours_and_a_move():
    cohort = small_cohort(weeks=3, time_zone="America/Toronto")
    request = submitted(cohort)
    first, second, third = request.lines.order_by("starts_at")
    # 18:00 UTC on 15 July is 14:00 in Toronto (EDT).
    first.starts_at = datetime.datetime(2031, 7, 15, 18, 0, tzinfo=UTC)
    first.ends_at = first.starts_at + datetime.timedelta(minutes=120)
    first.minutes = 120
    first.previous_starts_at = datetime.datetime(2031, 7, 8, 18, 0, tzinfo=UTC)
    first.previous_decision = ProtectedTimeLine.Decision.APPROVED
    first.save()
    second.minutes = 150
    second.decision = ProtectedTimeLine.Decision.DECLINED
    second.save()
    ProtectedTimeLine.objects.filter(pk=third.pk).update(minutes=135)
    rows = {row.when: row for row in line_rows(request)}
    moved = rows[f"Tue 15 Jul, 14:00{DASH}16:00"]
    assert moved.hours == "2 h"
    assert moved.decision == "pending" and moved.decision_label == "Waiting"
    assert moved.moved == "Moved from Tue 8 Jul, 14:00 (was approved)"
    others = [row for when, row in rows.items() if when != f"Tue 15 Jul, 14:00{DASH}16:00"]
    assert sorted(row.hours for row in others) == ["2.25 h", "2.50 h"]
    assert {row.decision_label for row in others} == {"Declined", "Waiting"}
    assert all(row.moved == "" for row in others)


def test_summary_gives_the_date_span_and_what_waits():
    cohort = small_cohort(weeks=3)
    request = submitted(cohort)
    lines = list(request.lines.order_by("starts_at"))
    ProtectedTimeLine.objects.filter(pk=lines[0].pk).update(decision=ProtectedTimeLine.Decision.APPROVED)
    ProtectedTimeLine.objects.filter(pk=lines[1].pk).update(minutes=90)
    ProtectedTimeLine.objects.filter(pk=lines[2].pk).update(minutes=105)
    london = ZoneInfo("Europe/London")
    first = timezone.localtime(lines[0].starts_at, london)
    last = timezone.localtime(lines[-1].starts_at, london)
    result = summary(request)
    assert result.pending_count == 2
    assert result.pending_hours == "3.25"  # 195 minutes
    assert result.dates == f"{first.day} {first:%b}{DASH}{last.day} {last:%b %Y}"


def test_session_rows_say_week_day_and_state_in_the_participants_time_zone():
    cohort = small_cohort(weeks=3, time_zone="Europe/London")
    request = submitted(cohort)
    person = request.enrolment.participant
    one, two, three = cohort.group_sessions.order_by("number")
    GroupSession.objects.filter(pk=one.pk).update(status="held", held_at=timezone.now())
    GroupSession.objects.filter(pk=two.pk).update(status="cancelled", cancel_reason="Snow")
    GroupSession.objects.filter(pk=three.pk).update(moved_reason="Room taken")
    groups = participant_groups(user=person)
    session_rows_label(groups=groups, time_zone="Asia/Tokyo")
    rows = {s.number: s for s in groups[0].sessions}
    assert [rows[n].label for n in (1, 2, 3)] == ["Week 1", "Week 2", "Week 3"]
    assert rows[1].state == "held"
    assert rows[2].state == "cancelled: Snow"
    assert rows[3].state == "moved: Room taken"
    tokyo = timezone.localtime(rows[1].starts_at, ZoneInfo("Asia/Tokyo"))
    assert rows[1].when == f"{tokyo:%a} {tokyo.day} {tokyo:%b}, {tokyo:%H:%M}"


def test_next_session_is_each_cohorts_first_scheduled_one_still_ahead():
    cohort = small_cohort(weeks=4, start_date=timezone.localdate() - datetime.timedelta(weeks=1))
    other = small_cohort(weeks=4, start_date=timezone.localdate() + datetime.timedelta(weeks=2))
    sessions = list(cohort.group_sessions.order_by("starts_at"))
    # The first one ahead is cancelled: the next is the one after it.
    ahead = [s for s in sessions if s.ends_at > timezone.now()]
    GroupSession.objects.filter(pk=ahead[0].pk).update(status="cancelled")
    attach_next_sessions(cohorts=[cohort, other], now=timezone.now())
    assert cohort.next_session.pk == ahead[1].pk
    assert other.next_session.pk == other.group_sessions.order_by("starts_at").first().pk
    GroupSession.objects.filter(cohort=other).update(status="cancelled")
    attach_next_sessions(cohorts=[other], now=timezone.now())
    assert other.next_session is None


def test_service_overview_rows_carry_status_and_next_session_text():
    cohort = small_cohort(weeks=2, start_date=timezone.localdate() + datetime.timedelta(weeks=1), status="recruiting")
    row = next(c for c in lead_home()["cohorts"] if c.pk == cohort.pk)
    first = timezone.localtime(
        cohort.group_sessions.order_by("starts_at").first().starts_at, ZoneInfo(cohort.time_zone)
    )
    assert row.status_label == "Recruiting"
    assert row.next_session_when == f"{first:%a} {first.day} {first:%b}, {first:%H:%M}"


def test_lines_markup_has_one_item_per_line_with_its_text():
    request = submitted(small_cohort(weeks=3))
    html = str(protected_time_lines(request))
    assert html.startswith('<ul class="list-unstyled mb-0 pt-lines">')
    assert html.count('<li class="pt-line">') == 3
    for row in line_rows(request):
        assert f'<span class="pt-when">{row.when}</span>' in html
        assert f'<span class="badge pt-pending">{row.decision_label}</span>' in html
