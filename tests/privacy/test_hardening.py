"""Hardening: a Content-Security-Policy with no inline script, a Permissions-Policy, the idle sign-out,
and turning an account off ends its sessions (issue 13, build 12)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
from datetime import UTC
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.admin.sites import AdminSite
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.admin import UserAdmin
from accounts.models import User
from accounts.services import user_deactivate
from core.errors import DomainError
from core.models import AccessLog
from core.views import ERROR_PAGE_STYLE_HASH, server_error
from tests.factories import FacilitatorFactory, ParticipantFactory, ServiceLeadFactory, UserFactory

pytestmark = pytest.mark.privacy

ROOT = Path(settings.BASE_DIR)
# Every folder templates are read from: the project's, and each of Steady's apps' own.
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
# Emails are not pages: mail programs strip <style>, so their colours are style attributes.
EMAIL_PARTS = ("/email/",)

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>\s*(?!</script)\S", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def _templates() -> list[Path]:
    return [path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")]


def _offences(text: str) -> list[str]:
    found = [f"inline script: {m.group(0)[:60]!r}" for m in INLINE_SCRIPT.finditer(text)]
    found += [f"event handler: {m.group(0)[-60:]!r}" for m in EVENT_HANDLER.finditer(text)]
    found += [f"javascript: URL: {m.group(0)!r}" for m in JAVASCRIPT_URL.finditer(text)]
    return found


def test_the_scanner_finds_what_it_looks_for() -> None:
    assert _offences('<script src="/static/js/steady.js"></script>') == []
    assert _offences("<script>\n</script>") == []
    assert len(_offences("<script>alert(1)</script>")) == 1
    assert len(_offences('<script type="module">go()</script>')) == 1
    assert len(_offences('<button type="button" onclick="window.print()">')) == 1
    assert len(_offences('<a\n  href="#" onMouseOver="x()">')) == 1
    assert len(_offences('<a href="javascript:go()">')) == 1
    assert _offences('<button data-steady-print class="btn">') == []
    assert STYLE_ATTRIBUTE.search('<p style="color:red">') and not STYLE_ATTRIBUTE.search('<p class="x">')


def test_no_template_has_inline_script_or_event_handlers() -> None:
    templates = _templates()
    assert len(templates) > 50  # the scan reaches the templates
    offences = [f"{path.relative_to(ROOT)}: {what}" for path in templates for what in _offences(path.read_text())]
    assert offences == []


def test_only_emails_carry_style_attributes() -> None:
    pages = [path for path in _templates() if not any(part in path.as_posix() for part in EMAIL_PARTS)]
    assert [str(p.relative_to(ROOT)) for p in pages if STYLE_ATTRIBUTE.search(p.read_text())] == []


def test_the_error_page_style_is_the_one_the_policy_allows() -> None:
    page = (ROOT / "templates" / "500.html").read_text()
    (style,) = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" == ERROR_PAGE_STYLE_HASH


def _directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "participant", "facilitator"])
def test_pages_send_a_strict_content_security_policy_and_permissions_policy(client: Client, who: str) -> None:
    if who == "participant":
        client.force_login(ParticipantFactory())
    elif who == "facilitator":
        client.force_login(FacilitatorFactory())
    url = reverse("login") if who == "anonymous" else reverse("home")
    response = client.get(url, follow=True)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    body = response.content.decode()
    assert INLINE_SCRIPT.search(body) is None
    assert EVENT_HANDLER.search(body) is None
    assert '"allowEval": false' in body  # htmx evaluates no strings


def test_the_error_page_is_allowed_its_own_style_and_nothing_else() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response._csp_update == {"style-src": [ERROR_PAGE_STYLE_HASH]}


# ---- idle sign-out ----------------------------------------------------------------------------

START = datetime.datetime(2026, 6, 1, 9, tzinfo=UTC)


@pytest.mark.django_db
@pytest.mark.parametrize(("idle_minutes", "signed_in"), [(29, True), (31, False)])
def test_a_session_idle_longer_than_the_timeout_is_signed_out(
    client: Client, settings, idle_minutes: int, signed_in: bool
) -> None:
    settings.STEADY_IDLE_TIMEOUT_MINUTES = 30
    person = ParticipantFactory(password="a long passphrase 1")
    home = reverse("facilitation:participant_home")
    with time_machine.travel(START, tick=False) as clock:
        signing_in = client.post(reverse("login"), {"username": person.email, "password": "a long passphrase 1"})
        assert signing_in.status_code == 302
        assert client.get(home).status_code == 200
        clock.shift(datetime.timedelta(minutes=idle_minutes))
        response = client.get(home)
    assert (response.status_code == 200) is signed_in
    if not signed_in:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"]).content.decode()
        assert "signed out after 30 minutes without activity" in page


@pytest.mark.django_db
def test_activity_keeps_a_session_open_past_the_timeout(client: Client, settings) -> None:
    settings.STEADY_IDLE_TIMEOUT_MINUTES = 30
    client.force_login(ParticipantFactory())
    home = reverse("facilitation:participant_home")
    with time_machine.travel(START, tick=False) as clock:
        for _step in range(4):  # two hours in all, never 30 minutes idle
            assert client.get(home).status_code == 200
            clock.shift(datetime.timedelta(minutes=29))
        assert client.get(home).status_code == 200


@pytest.mark.django_db
def test_the_timeout_is_a_setting(client: Client, settings) -> None:
    settings.STEADY_IDLE_TIMEOUT_MINUTES = 5
    client.force_login(ParticipantFactory())
    home = reverse("facilitation:participant_home")
    with time_machine.travel(START, tick=False) as clock:
        assert client.get(home).status_code == 200
        clock.shift(datetime.timedelta(minutes=6))
        assert client.get(home).status_code == 302


def test_the_default_timeout_is_thirty_minutes() -> None:
    from config.settings import base  # noqa: PLC0415 - the base settings, not the test settings in force

    assert base.STEADY_IDLE_TIMEOUT_MINUTES == 30


# ---- deactivation ends sessions ---------------------------------------------------------------


def _sessions_of(user: User) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk))


@pytest.mark.django_db
def test_deactivating_a_person_ends_every_session_they_have() -> None:
    person, other, lead = ParticipantFactory(), ParticipantFactory(), ServiceLeadFactory()
    phone, laptop, others = Client(), Client(), Client()
    phone.force_login(person)
    laptop.force_login(person)
    others.force_login(other)
    assert _sessions_of(person) == 2
    user_deactivate(user=person, by=lead)
    assert _sessions_of(person) == 0
    assert _sessions_of(other) == 1
    assert User.objects.get(pk=person.pk).is_active is False
    # Turned back on, the old sessions do not come back.
    User.objects.filter(pk=person.pk).update(is_active=True)
    assert phone.get(reverse("facilitation:participant_home")).status_code == 302
    assert others.get(reverse("facilitation:participant_home")).status_code == 200


@pytest.mark.django_db
def test_nobody_turns_their_own_account_off() -> None:
    lead = ServiceLeadFactory()
    with pytest.raises(DomainError):
        user_deactivate(user=lead, by=lead)
    assert User.objects.get(pk=lead.pk).is_active


@pytest.mark.django_db
def test_the_admin_turns_an_account_off_through_the_service() -> None:
    person, admin_user = ParticipantFactory(), UserFactory(is_staff=True, is_superuser=True)
    session = Client()
    session.force_login(person)
    person.is_active = False
    request = RequestFactory().post("/")
    request.user = admin_user
    UserAdmin(User, AdminSite()).save_model(request, person, form=None, change=True)
    assert User.objects.get(pk=person.pk).is_active is False
    assert _sessions_of(person) == 0


@pytest.mark.django_db
def test_one_admin_save_records_a_role_change_and_turns_the_account_off() -> None:
    person, admin_user = FacilitatorFactory(), UserFactory(is_staff=True, is_superuser=True)
    session = Client()
    session.force_login(person)
    person.is_facilitator, person.is_active = False, False
    request = RequestFactory().post("/")
    request.user = admin_user
    UserAdmin(User, AdminSite()).save_model(request, person, form=None, change=True)
    saved = User.objects.get(pk=person.pk)
    assert (saved.is_facilitator, saved.is_active) == (False, False)
    assert list(AccessLog.objects.filter(subject=person).values_list("action", flat=True)) == ["role_removed"]
    assert _sessions_of(person) == 0
