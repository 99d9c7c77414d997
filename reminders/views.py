from __future__ import annotations

from datetime import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.models import User
from core.errors import DomainError
from reminders import selectors
from reminders.forms import PreferencesForm, RetryForm
from reminders.models import Reminder
from reminders.registry import get_kind
from reminders.rendering import unsubscribe_read
from reminders.services.outcomes import reminders_retry
from reminders.services.preferences import notifications_mark_read, reminder_preference_set, reminder_preferences_save

NOTIFICATIONS_SHOWN = 50


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    kinds = selectors.preference_kinds_for(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, kinds=kinds)
        if form.is_valid():
            try:
                reminder_preferences_save(user=request.user, enabled=form.cleaned_data["kinds"], offered=form.offered)
            except DomainError as error:
                form.add_error("kinds", error.message)
            else:
                messages.success(request, _("Your reminder choices are saved."))
                return redirect("reminders:preferences")
    else:
        form = PreferencesForm(initial={"kinds": sorted(selectors.preferences_enabled(request.user))}, kinds=kinds)
    essential = [kind for kind in kinds if kind.essential]
    quiet_from, quiet_until = (time(hour) for hour in settings.STEADY_QUIET_HOURS)
    context = {"form": form, "essential": essential, "quiet_from": quiet_from, "quiet_until": quiet_until}
    return render(request, "reminders/preferences.html", context)


@csrf_exempt  # one-click unsubscribe (RFC 8058): mail clients POST without a session or a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, code = unsubscribe_read(token)
        kind = get_kind(code)
        user = User.objects.get(pk=user_id)
    except (signing.BadSignature, LookupError, User.DoesNotExist, ValueError, KeyError, TypeError):
        raise Http404("No such unsubscribe link") from None
    if kind.essential:
        raise Http404("Essential reminders cannot be turned off")
    if request.method == "GET":
        return render(request, "reminders/unsubscribe.html", {"kind": kind, "done": False})
    reminder_preference_set(user=user, kind=kind.code, enabled=False)
    if request.POST.get("List-Unsubscribe") == "One-Click":
        return HttpResponse(_("Unsubscribed."), content_type="text/plain")
    return render(request, "reminders/unsubscribe.html", {"kind": kind, "done": True})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.notifications_for(request.user)[:NOTIFICATIONS_SHOWN])
    unread = {row.pk for row in rows if row.read_at is None}
    if unread:
        # Seeing the list counts as reading all of them, older ones below the fold too.
        notifications_mark_read(user=request.user)
    items = [{"row": row, "label": selectors.kind_label(row.kind), "new": row.pk in unread} for row in rows]
    # Everything is read now, so the bell needs no count query on this page.
    context = {"items": items, "bell_unread_override": 0, "home_url": reverse("home")}
    return render(request, "reminders/notification_list.html", context)


@role_required("service_lead")
def operations(request: HttpRequest) -> HttpResponse:
    counts = selectors.reminder_status_counts()
    failed = [{"row": row, "label": selectors.kind_label(row.kind)} for row in selectors.reminders_failed()]
    context = {
        "counts": [(status, label, counts[status]) for status, label in Reminder.Status.choices],
        "stuck": selectors.reminders_stuck_count(),
        "failed": failed,
        "failed_total": counts[Reminder.Status.FAILED],
    }
    return render(request, "reminders/operations.html", context)


@role_required("service_lead")
@require_POST
def operations_retry(request: HttpRequest) -> HttpResponse:
    form = RetryForm(request.POST)
    if not form.is_valid():
        messages.warning(request, _("That reminder could not be found. Reload the page and try again."))
        return redirect("reminders:operations")
    reminder_id = form.cleaned_data["reminder"]
    try:
        count = reminders_retry(ids=[reminder_id] if reminder_id else None, by=request.user)
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        if count:
            text = ngettext(
                "%(count)d reminder will be sent again within a minute.",
                "%(count)d reminders will be sent again within a minute.",
                count,
            )
            messages.success(request, text % {"count": count})
        else:
            messages.info(request, _("Nothing to retry: the reminder is no longer failed."))
    return redirect("reminders:operations")
