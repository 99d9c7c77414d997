"""Each role's home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts.decorators import role_required
from core import page_cache
from facilitation.selectors.homes import (
    facilitator_home_kept,
    facilitator_home_live,
    facilitator_home_scopes,
    participant_home_next_change,
    participant_home_scopes,
)
from facilitation.selectors.homes import lead_home as lead_home_context
from facilitation.selectors.homes import participant_home as participant_home_context
from facilitation.views.protected_time import protected_time_inbox_page

# Between the page's body and its footer panel in the one cached fragment.
FOOTER_MARK = "<!-- steady:footer -->"
# Between the facilitator home's "Needs you" (with cover) and "Your cohorts" in its kept part.
COHORTS_MARK = "<!-- steady:your-cohorts -->"


def _participant_home_render(request: HttpRequest) -> page_cache.Rendered:
    """The participant home below its greeting, and its footer panel, as the page cache keeps them.

    Rendered without the request's context processors: the CSRF token is a placeholder the view fills, and
    no messages are in it. ``request`` is there for the calendar address (scheme and host are in the key).
    """
    user = request.user
    now = timezone.now()  # before the reads: a change due between the two is still ahead of ``now``
    context = participant_home_context(user=user)
    context.update(user=user, request=request, csrf_token=page_cache.CSRF_PLACEHOLDER)
    body = render_to_string("facilitation/partials/participant_home_body.html", context)
    footer = render_to_string("facilitation/partials/participant_home_footer.html", context)
    next_change = participant_home_next_change(context=context, time_zone=user.time_zone, now=now)
    return page_cache.Rendered(html=body + FOOTER_MARK + footer, valid_until=next_change)


@role_required("participant")
def participant_home(request: HttpRequest) -> HttpResponse:
    """The participant's home: kept per person in the page cache until a write it shows or the clock changes it."""
    user = request.user
    html = page_cache.fragment(
        "participant-home",
        user_id=user.pk,
        key=(user.time_zone, user.line_manager_id, request.scheme, request.get_host()),
        scopes=lambda: participant_home_scopes(user=user),
        render=lambda: _participant_home_render(request),
    )
    body, footer = page_cache.csrf_fill(html, request).split(FOOTER_MARK)
    context = {"body": mark_safe(body), "footer": mark_safe(footer)}  # noqa: S308 - rendered by our templates
    return render(request, "facilitation/participant_home.html", context)


def _facilitator_home_render(user, scopes: list[str]) -> page_cache.Rendered:
    """The facilitator home's kept part: "Needs you" with cover, and "Your cohorts" (no form, no request value).

    Not stored if a cohort it lists was not among ``scopes`` (read just before: a cohort given to this
    facilitator in between), so a later write to that cohort can never leave it stale.
    """
    context = facilitator_home_kept(user=user)
    html = render_to_string("facilitation/partials/facilitator_home_kept.html", context)
    listed = {page_cache.cohort(cohort.pk) for cohort in context["cohorts"]}
    valid_until = context["next_change"] if listed <= set(scopes) else timezone.now()
    return page_cache.Rendered(html=html, valid_until=valid_until)


@role_required("facilitator")
def facilitator_home(request: HttpRequest) -> HttpResponse:
    """The facilitator's home: apologies, early warnings, cover and their cohorts kept per person in the page
    cache until a write they show or the clock changes them; risk alerts, offers, check-ins and requests to
    talk (each view logged) read on every visit."""
    user = request.user
    scopes: list[str] = []

    def read_scopes() -> list[str]:
        scopes.extend(facilitator_home_scopes(user=user))
        return scopes

    kept = page_cache.fragment(
        "facilitator-home",
        user_id=user.pk,
        scopes=read_scopes,
        render=lambda: _facilitator_home_render(user, scopes),
    )
    needs_you, your_cohorts = kept.split(COHORTS_MARK)
    context = {
        **facilitator_home_live(user=user),
        "needs_you": mark_safe(needs_you),  # noqa: S308 - rendered by our templates
        "your_cohorts": mark_safe(your_cohorts),  # noqa: S308 - rendered by our templates
    }
    return render(request, "facilitation/facilitator_home.html", context)


@role_required("manager")
def manager_home(request: HttpRequest) -> HttpResponse:
    """The line manager's home: requests for protected time waiting for them (own staff and delegated)."""
    return protected_time_inbox_page(request)


@role_required("service_lead")
def lead_home(request: HttpRequest) -> HttpResponse:
    return render(request, "facilitation/lead_home.html", lead_home_context())
