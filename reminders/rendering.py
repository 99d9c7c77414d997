"""Turn a reminder row into an email: subject, plain text and HTML, in the recipient's time zone."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from reminders.models import Reminder
from reminders.registry import ReminderKind, get_kind

UNSUBSCRIBE_SALT = "reminders.unsubscribe"
FOOTER = "reminders/email/_footer"


def absolute(path: str) -> str:
    return settings.STEADY_SITE_URL.rstrip("/") + path


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """A signed, URL-safe token that turns ``kind`` off for ``user_id`` (no sign-in needed)."""
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str]:
    """Return (user id, kind) from a token; raise ``signing.BadSignature`` when it was tampered with."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["u"]), str(data["k"])


def with_datetimes(values: dict[str, Any]) -> dict[str, Any]:
    """Turn the ISO strings stored under keys ending in "_at" back into aware datetimes."""
    result = dict(values)
    for key, value in values.items():
        if key.endswith("_at") and isinstance(value, str) and (parsed := parse_datetime(value)):
            result[key] = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)
    return result


def reminder_context(row: Reminder, kind: ReminderKind, *, sample: bool = False) -> dict[str, Any]:
    """``row.context`` + ``kind.context(row)`` (or ``kind.sample()``) + recipient, links and the row."""
    extra: dict[str, Any] = {}
    if sample and kind.sample is not None:
        extra = kind.sample()
    elif not sample and kind.context is not None:
        extra = kind.context(row)
    context = with_datetimes({**row.context, **extra})
    context.update(
        recipient=row.recipient,
        reminder=row,
        kind=kind,
        site_url=settings.STEADY_SITE_URL,
        preferences_url=absolute(reverse("reminders:preferences")),
        notifications_url=absolute(reverse("reminders:notifications")),
    )
    if not kind.essential:
        token = unsubscribe_token(user_id=row.recipient_id, kind=kind.code)
        context["unsubscribe_url"] = absolute(reverse("reminders:unsubscribe", args=[token]))
    return context


def render_text(name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template without HTML escaping."""
    return get_template(name).template.render(Context(context, autoescape=False))


def render_parts(row: Reminder, *, kind: ReminderKind | None = None, sample: bool = False) -> tuple[str, str, str]:
    """Return (subject, text, html) for the row, with times in the recipient's time zone."""
    subject, text, html, _context = render_with_context(row, kind=kind or get_kind(row.kind), sample=sample)
    return subject, text, html


def render_with_context(row: Reminder, *, kind: ReminderKind, sample: bool = False) -> tuple[str, str, str, dict]:
    with timezone.override(row.recipient.tzinfo):
        context = reminder_context(row, kind, sample=sample)
        subject = " ".join(render_text(f"{kind.template}_subject.txt", context).split())
        text = render_text(f"{kind.template}.txt", context)
        html = get_template(f"{kind.template}.html").render(context)
        # Every email ends with the way to its settings (and, when optional, to stop it).
        text = text.rstrip() + "\n\n" + render_text(FOOTER + ".txt", context)
        footer = get_template(FOOTER + ".html").render(context)
    head, found, tail = html.rpartition("</body>")
    html = f"{head}{footer}{found}{tail}" if found else html + footer
    return subject, text, html, context


def message_domain() -> str:
    return urlsplit(settings.STEADY_SITE_URL).hostname or "steady.localhost"


def reminder_email(row: Reminder, *, kind: ReminderKind | None = None) -> EmailMultiAlternatives:
    """Build the email for ``row``: one Message-ID per row, and unsubscribe headers when optional."""
    kind = kind or get_kind(row.kind)
    subject, text, html, context = render_with_context(row, kind=kind)
    headers = {
        # The same row always has the same Message-ID, so a duplicate after a crash is recognisable.
        "Message-ID": f"<reminder-{row.pk}@{message_domain()}>",
        "X-Steady-Reminder": str(row.pk),
        "Auto-Submitted": "auto-generated",
    }
    if not kind.essential:
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(subject=subject, body=text, to=[row.recipient.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message
