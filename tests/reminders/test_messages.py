"""What a reminder email looks like: neutral subject lines, local times, unsubscribe headers."""

from __future__ import annotations

import re

import pytest

from reminders.registry import all_kinds
from reminders.rendering import reminder_email, render_parts
from tests.factories import ParticipantFactory
from tests.reminders.factories_reminders import row_for

pytestmark = [pytest.mark.reminders, pytest.mark.django_db]

# Words that would tell a lock screen or a shared inbox what the group is about.
REVEALING = re.compile(r"therap|compassion|\bCFT\b|mental|psycholog|counsel|clinical|burnout|distress", re.IGNORECASE)


@pytest.mark.parametrize("kind", all_kinds(), ids=lambda kind: kind.code)
def test_subject_and_first_line_of_every_kind_stay_neutral(kind) -> None:
    person = ParticipantFactory(first_name="Amara")
    subject, text, html = render_parts(row_for(person, kind.code), kind=kind, sample=True)
    assert subject.strip()
    assert not REVEALING.search(subject), subject
    first_line = next(line for line in text.splitlines() if line.strip())
    assert not REVEALING.search(first_line), first_line
    assert "<html" in html or "<p" in html


def test_every_registered_kind_has_its_three_templates() -> None:
    person = ParticipantFactory()
    for kind in all_kinds():
        subject, text, html = render_parts(row_for(person, kind.code), kind=kind, sample=True)
        assert subject and text and html, kind.code


@pytest.mark.parametrize(
    ("time_zone", "local"), [("Europe/London", "Sunday 29 March 2026, 13:00"), ("America/Toronto", "08:00")]
)
def test_times_are_shown_in_the_recipients_time_zone(time_zone, local) -> None:
    person = ParticipantFactory(time_zone=time_zone)
    context = {"title": "See you soon", "body": "The room is booked.", "when_at": "2026-03-29T12:00:00+00:00"}
    _subject, text, html = render_parts(row_for(person, "test_notice", context))
    assert local in text
    assert local in html


def test_plain_text_is_not_html_escaped_and_html_is() -> None:
    person = ParticipantFactory(first_name="Siobhán")
    row = row_for(person, "test_notice", {"title": "Tom's group & you", "body": "<b>hi</b>"})
    subject, text, html = render_parts(row)
    assert subject == "Tom's group & you"
    assert "<b>hi</b>" in text
    assert "&lt;b&gt;hi&lt;/b&gt;" in html


def test_optional_email_has_one_click_unsubscribe_and_a_preferences_link(client) -> None:
    person = ParticipantFactory()
    message = reminder_email(row_for(person, "test_notice"))
    link = re.fullmatch(r"<(http://[^>]+)>", message.extra_headers["List-Unsubscribe"]).group(1)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/reminders/preferences/" in message.body
    assert link in message.body
    html = message.alternatives[0][0]
    assert link.replace("&", "&amp;") in html or link in html
    assert message.extra_headers["Message-ID"].startswith("<reminder-")


def test_essential_email_has_a_preferences_link_but_no_unsubscribe() -> None:
    message = reminder_email(row_for(ParticipantFactory(), "test_essential"))
    assert "List-Unsubscribe" not in message.extra_headers
    assert "/reminders/preferences/" in message.body
    assert "/reminders/unsubscribe/" not in message.body
