"""Naming a line manager: the person names them by email; the manager (one-use link) or the service lead confirms.

Writes (``line_manager_request_*``) and reads (``line_manager_requests_*``) for one small concept. Nothing
clinical is written here or in the email: only the person's name and that they may ask for protected time.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import LineManagerRequest, User
from core import page_cache
from core.errors import DomainError, NotAllowed
from core.links import absolute_url

# How many waiting requests the service lead's home lists at once (oldest first).
LEAD_LIST_LIMIT = 20


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _send_request_email(*, request: LineManagerRequest, link: str) -> None:
    context = {"request": request, "staff_name": request.staff_member.full_name, "link": link}
    subject = render_to_string("accounts/email/line_manager_request_subject.txt", context).strip()
    body = render_to_string("accounts/email/line_manager_request.txt", context)
    send_mail(subject, body, None, [request.email])


@transaction.atomic
def line_manager_request_create(
    *, staff_member: User, email: str, first_name: str, last_name: str = ""
) -> LineManagerRequest:
    """Name a line manager by email: replace any waiting request and email the manager a one-use link."""
    email = email.strip().lower()
    if email == staff_member.email.lower():
        raise DomainError(_("Give your line manager's email address, not your own."), field="email")
    replaced = LineManagerRequest.objects.select_for_update().filter(
        staff_member=staff_member, status=LineManagerRequest.Status.PENDING
    )
    named = {email, *replaced.values_list("email", flat=True)}
    replaced.update(status=LineManagerRequest.Status.REPLACED, decided_at=timezone.now())
    token = secrets.token_urlsafe(32)
    request = LineManagerRequest.objects.create(
        staff_member=staff_member,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        token_hash=_token_hash(token),
    )
    link = absolute_url("accounts:line_manager_confirm", token=token)
    # Sent in this process, not through the broker, so the raw token never leaves the email.
    transaction.on_commit(lambda: _send_request_email(request=request, link=link), robust=True)
    # The home of each person named (now or before) lists the requests naming them.
    named_people = User.objects.filter(email__in=named).values_list("pk", flat=True)
    page_cache.bump(page_cache.person(staff_member.pk), *(page_cache.person(pk) for pk in named_people))
    return request


def line_manager_request_for_token(*, token: str) -> LineManagerRequest:
    """The waiting request behind a link, or a domain error saying what to do."""
    request = LineManagerRequest.objects.select_related("staff_member").filter(token_hash=_token_hash(token)).first()
    if request is None or request.status != LineManagerRequest.Status.PENDING:
        raise NotAllowed(
            _("This link is no longer in use: it was used already, or a newer one was sent. Nothing more is needed.")
        )
    return request


@transaction.atomic
def line_manager_request_confirm(*, request: LineManagerRequest, by: User | None, password: str | None = None) -> User:
    """Confirm: the named manager becomes the person's line manager (their account is made if missing)."""
    request = LineManagerRequest.objects.select_for_update().select_related("staff_member").get(pk=request.pk)
    if request.status != LineManagerRequest.Status.PENDING:
        raise NotAllowed(_("This request was already answered or replaced."))
    manager = User.objects.filter(email__iexact=request.email).first()
    if manager is None:
        manager = User.objects.create_user(
            request.email, password, first_name=request.first_name, last_name=request.last_name, is_manager=True
        )
    elif not manager.is_manager:
        manager.is_manager = True
        manager.save(update_fields=["is_manager"])
    if manager.pk == request.staff_member_id:
        raise DomainError(_("A person cannot be their own line manager."))
    staff_member = request.staff_member
    # The old and the new manager's inboxes hold this person's requests; the person's home names the manager.
    page_cache.bump(
        page_cache.person(staff_member.pk),
        page_cache.person(manager.pk),
        *([page_cache.person(staff_member.line_manager_id)] if staff_member.line_manager_id else []),
    )
    staff_member.line_manager = manager
    staff_member.save(update_fields=["line_manager"])
    request.status = LineManagerRequest.Status.CONFIRMED
    request.decided_at = timezone.now()
    request.decided_by = by or manager
    request.save(update_fields=["status", "decided_at", "decided_by"])
    return manager


def line_manager_request_waiting(*, staff_member: User) -> LineManagerRequest | None:
    """The person's request waiting for confirmation, if any (one query)."""
    return LineManagerRequest.objects.filter(
        staff_member=staff_member, status=LineManagerRequest.Status.PENDING
    ).first()


def line_manager_requests_waiting(*, email: str | None = None) -> list[LineManagerRequest]:
    """Waiting requests, oldest first (bounded): all of them for the service lead, or those naming ``email``."""
    waiting = LineManagerRequest.objects.filter(status=LineManagerRequest.Status.PENDING).select_related("staff_member")
    if email is not None:
        waiting = waiting.filter(email__iexact=email)
    return list(waiting.order_by("created_at")[:LEAD_LIST_LIMIT])


def line_manager_request_get_for_manager(*, user: User, pk: int) -> LineManagerRequest:
    """A waiting request naming ``user``'s own email; else 404."""
    found = LineManagerRequest.objects.filter(
        pk=pk, status=LineManagerRequest.Status.PENDING, email__iexact=user.email
    ).first()
    if found is None:
        raise Http404
    return found


def line_manager_request_get_for_lead(*, user: User, pk: int) -> LineManagerRequest:
    """Any waiting request, for a service lead; else 404."""
    if not user.is_service_lead:
        raise Http404
    return get_object_or_404(LineManagerRequest, pk=pk, status=LineManagerRequest.Status.PENDING)
