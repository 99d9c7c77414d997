"""The bytes a reminder goes out as over SMTP: the same as Django's, built without the email package."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from reminders.rendering import (
    _fast_wire_bytes,
    absolute,
    reminder_email,
    render_parts,
    site_links,
    unsubscribe_token,
    wire_message,
)
from tests.factories import ParticipantFactory
from tests.reminders.factories_reminders import row_for

pytestmark = [pytest.mark.reminders, pytest.mark.django_db]

BOUNDARY = re.compile(rb"={15}\d{19}==")
DATE = re.compile(rb"^Date: [^\r\n]+", re.MULTILINE)


def normalised(payload: bytes) -> bytes:
    """The bytes with the random boundary and the clock's Date line made comparable."""
    return DATE.sub(b"Date: (now)", BOUNDARY.sub(b"(boundary)", payload))


def django_bytes(message: EmailMultiAlternatives) -> bytes:
    return message.message().as_bytes(linesep="\r\n")


@pytest.mark.parametrize("kind", ["test_notice", "test_essential"])
@pytest.mark.parametrize(
    "context",
    [
        {"title": "Tomorrow at one", "body": "The room is booked."},
        {"title": "Siobhán's group & you", "body": "<b>Café</b> at one — bring a mug."},
        {"title": "A subject line that is long enough to need folding by the email package, surely", "body": "x"},
        {"title": "Quarter past", "body": "A very long line. " * 80},
        {"title": "Ein Café für dich", "body": "Bis morgen."},
    ],
    ids=["plain", "non-ascii-body", "long-subject", "long-line", "non-ascii-subject"],
)
def test_a_reminder_goes_out_as_the_bytes_django_would_send(kind, context) -> None:
    message = reminder_email(row_for(ParticipantFactory(first_name="Zoë"), kind, context))
    sender, recipients, payload = wire_message(message)
    assert normalised(payload) == normalised(django_bytes(message))
    assert recipients == message.recipients()
    assert sender == message.from_email


def test_an_ordinary_reminder_takes_the_quick_path_with_both_alternatives_and_its_headers() -> None:
    message = reminder_email(row_for(ParticipantFactory(first_name="Amara"), "test_notice"))
    payload = _fast_wire_bytes(message)
    assert payload is not None
    parsed = email.message_from_bytes(payload, policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed["Message-ID"] == message.extra_headers["Message-ID"]
    # Folded onto its own line, as Django folds it: the value is the link once the fold's space is dropped.
    assert parsed["List-Unsubscribe"].strip() == message.extra_headers["List-Unsubscribe"]
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == message.body


@pytest.mark.parametrize("length", [40, 60, 69, 70, 76, 78, 79, 120])
@pytest.mark.parametrize("name", ["X-Note", "Subject"])
def test_header_lines_fold_as_the_email_package_folds_them(name, length) -> None:
    value = ("word " * 40)[:length].strip() if name == "Subject" else "x" * length
    headers = {"Message-ID": "<reminder-1@steady.localhost>"}
    if name != "Subject":
        headers[name] = value
    message = EmailMultiAlternatives(
        subject=value if name == "Subject" else "Hello", body="Hi", to=["amara@example.org"], headers=headers
    )
    message.attach_alternative("<p>Hi</p>", "text/html")
    assert normalised(wire_message(message)[2]) == normalised(django_bytes(message))


def test_anything_unusual_is_left_to_django() -> None:
    message = EmailMultiAlternatives(
        subject="Hello", body="Hi", to=["Zoë Example <zoe@example.org>"], headers={"Message-ID": "<r-1@example.org>"}
    )
    message.attach_alternative("<p>Hi</p>", "text/html")
    with_file = EmailMultiAlternatives(
        subject="Hello", body="Hi", to=["amara@example.org"], headers={"Message-ID": "<r-2@example.org>"}
    )
    with_file.attach_alternative("<p>Hi</p>", "text/html")
    with_file.attach("session.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    for unusual in (message, with_file):
        assert _fast_wire_bytes(unusual) is None
        assert normalised(wire_message(unusual)[2]) == normalised(django_bytes(unusual))


def test_unsubscribe_links_are_what_reverse_gives() -> None:
    token = unsubscribe_token(user_id=4321, kind="test_notice")
    assert site_links().unsubscribe_url(token) == absolute(reverse("reminders:unsubscribe", args=[token]))


@pytest.mark.parametrize("kind", ["test_notice", "test_essential"])
def test_the_footer_rendered_once_per_kind_is_the_footer_rendered_for_the_row(kind) -> None:
    from django.template import Context
    from django.template.loader import get_template

    from reminders.registry import get_kind
    from reminders.rendering import FOOTER, reminder_context

    row = row_for(ParticipantFactory(first_name="Amara"), kind, {"title": "Hello", "body": "The room is booked."})
    with time_machine.travel(timezone.now(), tick=False):  # the same second: the same signed unsubscribe token
        _subject, text, html = render_parts(row)
        context = reminder_context(row, get_kind(kind))
    assert text.endswith("\n\n" + get_template(FOOTER + ".txt").template.render(Context(context, autoescape=False)))
    assert get_template(FOOTER + ".html").render(context) + "</body>" in html
    assert ("/reminders/unsubscribe/" in text) == (kind == "test_notice")


def test_a_message_without_alternatives_is_left_to_django() -> None:
    from django.core.mail import EmailMessage

    message = EmailMessage(subject="Hello", body="Hi", to=["amara@example.org"], headers={"Message-ID": "<r-3@x.org>"})
    assert _fast_wire_bytes(message) is None
    assert normalised(wire_message(message)[2]) == normalised(django_bytes(message))
