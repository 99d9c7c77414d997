"""Running a session: the agenda's Markdown is rendered, and "Mark as held" waits for the start."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import AgendaItem
from sessions.models import GroupSession
from tests.factories import cohort_with_sessions

pytestmark = [pytest.mark.cohorts, pytest.mark.django_db]


def run_page(client, group_session) -> str:
    client.force_login(group_session.cohort.facilitators.first())
    response = client.get(reverse("sessions:session_run", kwargs={"pk": group_session.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_agenda_notes_are_rendered_markdown_not_raw_bullets(client):
    cohort = cohort_with_sessions()
    session = cohort.group_sessions.get(number=1)
    item = AgendaItem.objects.filter(session_plan=session.session_plan).first()
    item.notes = "- Breathe in for four\n- Notice the **feet**"
    item.save(update_fields=["notes"])
    page = run_page(client, session)
    assert "<li>Breathe in for four</li>" in page
    assert "<strong>feet</strong>" in page
    assert "- Breathe" not in page


def test_mark_as_held_waits_for_the_start_and_says_when(client):
    cohort = cohort_with_sessions(start_date=timezone.localdate() + datetime.timedelta(days=3))
    coming = cohort.group_sessions.get(number=1)
    page = run_page(client, coming)
    hold_url = reverse("sessions:session_hold", kwargs={"pk": coming.pk})
    assert hold_url not in page
    assert "You can mark the session as held once it starts" in page
    now = timezone.now()
    GroupSession.objects.filter(pk=coming.pk).update(
        starts_at=now - datetime.timedelta(minutes=10), ends_at=now + datetime.timedelta(minutes=80)
    )
    page = run_page(client, coming)
    assert hold_url in page and "Mark as held" in page
