"""Turn a reminder row into an email: subject, plain text and HTML, in the recipient's time zone."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context, Template
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.translation import get_language

from core.links import absolute_url
from reminders.models import Reminder
from reminders.registry import ReminderKind, get_kind

UNSUBSCRIBE_SALT = "reminders.unsubscribe"
FOOTER = "reminders/email/_footer"


def absolute(path: str) -> str:
    return absolute_url(path)


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


def reminder_context(
    row: Reminder, kind: ReminderKind, *, sample: bool = False, links: SiteLinks | None = None
) -> dict[str, Any]:
    """``row.context`` + ``kind.context(row)`` (or ``kind.sample()``) + recipient, links and the row."""
    extra: dict[str, Any] = {}
    if sample and kind.sample is not None:
        extra = kind.sample()
    elif not sample and kind.context is not None:
        extra = kind.context(row)
    links = links or site_links()
    context = with_datetimes({**row.context, **extra})
    context.update(
        recipient=row.recipient,
        reminder=row,
        kind=kind,
        site_url=settings.STEADY_SITE_URL,
        preferences_url=links.preferences_url,
        notifications_url=links.notifications_url,
    )
    if not kind.essential:
        context["unsubscribe_url"] = links.unsubscribe_url(unsubscribe_token(user_id=row.recipient_id, kind=kind.code))
    return context


@dataclass(frozen=True)
class SiteLinks:
    """The absolute links every reminder carries, reversed once rather than once per message."""

    preferences_url: str
    notifications_url: str
    unsubscribe_head: str
    unsubscribe_tail: str

    def unsubscribe_url(self, token: str) -> str:
        # A signed token is URL-safe ([A-Za-z0-9_-], ".", ":"), so reverse() would leave it as it is.
        return f"{self.unsubscribe_head}{token}{self.unsubscribe_tail}"


_PLACEHOLDER = "UNSUBSCRIBE-TOKEN"


def site_links() -> SiteLinks:
    """Return the links for the current site address, URLconf and script prefix (cached per process)."""
    key = (settings.STEADY_SITE_URL, get_urlconf(), get_script_prefix())
    links = _LINKS.get(key)
    if links is None:
        head, _found, tail = absolute(reverse("reminders:unsubscribe", args=[_PLACEHOLDER])).partition(_PLACEHOLDER)
        links = SiteLinks(
            preferences_url=absolute(reverse("reminders:preferences")),
            notifications_url=absolute(reverse("reminders:notifications")),
            unsubscribe_head=head,
            unsubscribe_tail=tail,
        )
        _LINKS[key] = links
    return links


_LINKS: dict[tuple, SiteLinks] = {}
_TEMPLATES: dict[str, Template] = {}


def compiled(name: str) -> Template:
    """Return the compiled template ``name``, looked up once per process (until the template settings change)."""
    template = _TEMPLATES.get(name)
    if template is None:
        template = _TEMPLATES[name] = get_template(name).template
    return template


@receiver(setting_changed)
def forget_compiled(*, setting: str, **_kwargs: object) -> None:
    if setting in {"TEMPLATES", "STEADY_SITE_URL", "ROOT_URLCONF"}:
        _TEMPLATES.clear()
        _LINKS.clear()
        _FOOTERS.clear()


# Stands in for the row's unsubscribe link in a footer rendered once per kind (plain ASCII: escaping keeps it).
UNSUBSCRIBE_SLOT = "STEADY-UNSUBSCRIBE-LINK-SLOT"
_FOOTERS: dict[tuple, tuple[str, str]] = {}


def footers(kind: ReminderKind, links: SiteLinks) -> tuple[str, str]:
    """Return the (text, html) footer of ``kind``'s emails, with a slot for the row's unsubscribe link.

    The footer names the kind and carries the site's links, nothing about the recipient or the row:
    it is rendered from those alone, once per kind, language and site links.
    """
    key = (kind, get_language(), links)
    found = _FOOTERS.get(key)
    if found is None:
        context = {
            "kind": kind,
            "site_url": settings.STEADY_SITE_URL,
            "preferences_url": links.preferences_url,
            "notifications_url": links.notifications_url,
        }
        if not kind.essential:
            context["unsubscribe_url"] = UNSUBSCRIBE_SLOT
        found = _FOOTERS[key] = (
            compiled(FOOTER + ".txt").render(Context(context, autoescape=False)),
            compiled(FOOTER + ".html").render(Context(context)),
        )
    return found


def render_text(name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template without HTML escaping."""
    return compiled(name).render(Context(context, autoescape=False))


def render_parts(row: Reminder, *, kind: ReminderKind | None = None, sample: bool = False) -> tuple[str, str, str]:
    """Return (subject, text, html) for the row, with times in the recipient's time zone."""
    subject, text, html, _context = render_with_context(row, kind=kind or get_kind(row.kind), sample=sample)
    return subject, text, html


def render_with_context(
    row: Reminder, *, kind: ReminderKind, sample: bool = False, links: SiteLinks | None = None
) -> tuple[str, str, str, dict]:
    with timezone.override(row.recipient.tzinfo):
        context = reminder_context(row, kind, sample=sample, links=links)
        # One context for the three plain-text templates, one (escaping) for the two HTML ones.
        plain = Context(context, autoescape=False)
        subject = " ".join(compiled(f"{kind.template}_subject.txt").render(plain).split())
        text = compiled(f"{kind.template}.txt").render(plain)
        html = compiled(f"{kind.template}.html").render(Context(context))
        text_footer, footer = footers(kind, links or site_links())
    # Every email ends with the way to its settings (and, when optional, to stop it).
    if unsubscribe_url := context.get("unsubscribe_url"):
        text_footer = text_footer.replace(UNSUBSCRIBE_SLOT, unsubscribe_url)
        footer = footer.replace(UNSUBSCRIBE_SLOT, escape(unsubscribe_url))
    text = text.rstrip() + "\n\n" + text_footer
    head, found, tail = html.rpartition("</body>")
    html = f"{head}{footer}{found}{tail}" if found else html + footer
    return subject, text, html, context


def message_domain() -> str:
    return urlsplit(settings.STEADY_SITE_URL).hostname or "steady.localhost"


def reminder_email(
    row: Reminder, *, kind: ReminderKind | None = None, links: SiteLinks | None = None
) -> EmailMultiAlternatives:
    """Build the email for ``row``: one Message-ID per row, and unsubscribe headers when optional."""
    kind = kind or get_kind(row.kind)
    subject, text, html, context = render_with_context(row, kind=kind, links=links)
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
    # A kind's context may offer files, as (filename, content, mimetype): the session's .ics, say.
    for filename, content, mimetype in context.get("attachments", ()):
        message.attach(filename, content, mimetype)
    return message


# --- The bytes on the wire ----------------------------------------------------------------------

# Header lines longer than this are folded by the email package; ours are written as they are only below it.
FOLD_AT = 78
# RFC 5322's hard limit; a body with a longer line needs quoted-printable (the email package does that).
MAX_LINE = 998


def wire_message(message: EmailMultiAlternatives) -> tuple[str, list[str], bytes]:
    """Return (envelope sender, recipients, bytes) for sending ``message`` over SMTP.

    A reminder is plain text + HTML alternatives with ASCII headers: those bytes are written
    here directly, in the layout Django's ``message().as_bytes()`` produces (the email
    package's generator costs about a millisecond a message). Anything else (attachments,
    non-ASCII headers or addresses, very long lines, ...) goes through Django unchanged.
    """
    fast = _fast_wire_bytes(message)
    if fast is not None:
        return message.from_email, message.recipients(), fast
    encoding = message.encoding or settings.DEFAULT_CHARSET
    return (
        sanitize_address(message.from_email, encoding),
        [sanitize_address(address, encoding) for address in message.recipients()],
        message.message().as_bytes(linesep="\r\n"),
    )


def _header_line(name: str, value: str) -> str | None:
    """``Name: value`` as the email package folds it, or None when its folding rules are needed."""
    if not value.isascii() or "\n" in value or "\r" in value:
        return None
    if len(name) + 2 + len(value) <= FOLD_AT and not RUNS_OF_SPACE.search(value):
        return f"{name}: {value}"
    # One long word (a List-Unsubscribe link) cannot be split: it moves whole to a continuation line.
    if name not in {"Subject", "To"} and not FOLDS_AT.search(value) and len(value) < MAX_LINE:
        return f"{name}: \r\n {value}"
    return None


FOLDS_AT = re.compile(r"[\s;,]")
# The email package may tidy these when it folds; such values take its path.
RUNS_OF_SPACE = re.compile(r"^\s|\s\s|\s$|\t")


def _body_part(content: str, subtype: str) -> bytes | None:
    body = content.replace("\r\n", "\n").replace("\r", "\n")
    encoded = body.encode()
    if any(len(line) > MAX_LINE for line in encoded.split(b"\n")):
        return None
    head = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        f"Content-Transfer-Encoding: {'7bit' if body.isascii() else '8bit'}\r\n\r\n"
    )
    return head.encode() + encoded.replace(b"\n", b"\r\n")


def _fast_wire_bytes(message: EmailMultiAlternatives) -> bytes | None:
    """The two-alternative message as bytes, or None when it needs the email package."""
    alternatives = getattr(message, "alternatives", [])
    if (
        message.attachments
        or message.cc
        or message.bcc
        or message.reply_to
        or len(alternatives) != 1
        or alternatives[0][1] != "text/html"
        or message.content_subtype != "plain"
        or (message.encoding or settings.DEFAULT_CHARSET).lower() not in {"utf-8", "utf8"}
    ):
        return None
    extra = {name.lower(): (name, str(value)) for name, value in message.extra_headers.items()}
    if extra.keys() & {"from", "to", "cc", "reply-to", "subject", "content-type", "mime-version"}:
        return None
    addresses = [message.from_email, *message.to]
    if not all(_plain_address(address) for address in addresses):
        return None
    headers = [
        ("Subject", str(message.subject)),
        ("From", message.from_email),
        ("To", ", ".join(message.to)),
    ]
    if "date" not in extra:
        headers.append(("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
    if "message-id" not in extra:
        return None  # reminders always carry their own; a generated one is Django's business
    headers.extend(extra.values())
    boundary = f"==============={uuid.uuid4().int % 10**19:019d}=="
    lines = [f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"', "MIME-Version: 1.0"]
    for name, value in headers:
        line = _header_line(name, value)
        if line is None:
            return None
        lines.append(line)
    text = _body_part(message.body, "plain")
    html = _body_part(alternatives[0][0], "html")
    if text is None or html is None:
        return None
    marker = boundary.encode()
    if marker in text or marker in html:
        return None
    head = "\r\n".join(lines).encode() + b"\r\n\r\n"
    separator = b"--" + marker + b"\r\n"
    return b"".join((head, separator, text, b"\r\n", separator, html, b"\r\n--", marker, b"--\r\n"))


def _plain_address(address: str) -> bool:
    """A bare ASCII address (``name@example.org``), or ``Name <name@example.org>`` with a simple ASCII name."""
    if not address.isascii() or "\n" in address or "\r" in address or "," in address:
        return False
    return bool(PLAIN_ADDRESS.fullmatch(address))


PLAIN_ADDRESS = re.compile(r"(?:(?P<name>[A-Za-z0-9 ]+) <)?[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+(?(name)>)")
