"""The participant's pages: answering a questionnaire (one question a screen or all on one page),
submitting it, the calm message with crisis contacts after a risk answer, and their own scores.

To anyone who is not a participant they answer 403; to a participant with no place in the cohort, 404. No JavaScript:
every screen is a form that posts and saves through ``response_answer``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from core.errors import DomainError
from core.selectors import crisis_contacts_for
from measures import reports, selectors, services
from measures.models import RiskAlert


@role_required("participant")
@require_http_methods(["GET", "POST"])
def response_begin(request: HttpRequest, cohort_id: int, scheduled_id: int) -> HttpResponse:
    due = selectors.due_questionnaire(user=request.user, cohort_id=cohort_id, scheduled_id=scheduled_id)
    if request.method == "POST":
        try:
            response = services.response_start(
                measure=due.measure,
                participant=request.user,
                cohort=due.cohort,
                time_point=due.time_point,
                by=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("measures:my_scores")
        return redirect("measures:response_answer", pk=response.pk)
    return render(request, "measures/response_begin.html", {"due": due})


def _questions(response) -> tuple[list, dict[int, int]]:
    items = list(response.measure.items.all())
    answers = {a.item_id: a.value for a in response.answers.all()}
    return items, answers


@role_required("participant")
@require_http_methods(["GET", "POST"])
def response_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """One question a screen (``?q=N``), or all on one page (``?all=1``); each post saves what it holds."""
    response = selectors.response_to_answer(user=request.user, response_id=pk)
    if response.is_submitted:
        return redirect("measures:response_done", pk=response.pk)
    items, answers = _questions(response)
    show_all = request.GET.get("all") == "1" or request.POST.get("all") == "1"
    try:
        number = int(request.GET.get("q") or request.POST.get("q") or 0)
    except ValueError:
        number = 0
    if not number:
        # Carry on where they left off: the first unanswered question.
        number = next((i.number for i in items if i.pk not in answers), items[-1].number if items else 1)
    number = min(max(number, 1), len(items) or 1)
    errors: dict[int, str] = {}
    if request.method == "POST":
        shown = items if show_all else [i for i in items if i.number == number]
        for item in shown:
            raw = request.POST.get(f"item_{item.number}")
            if raw in (None, ""):
                continue
            try:
                services.response_answer(response=response, item=item, value=int(raw), by=request.user)
                answers[item.pk] = int(raw)
            except (DomainError, ValueError) as exc:
                errors[item.number] = getattr(exc, "message", _("Choose one of the answers offered."))
        if not errors:
            if show_all or request.POST.get("go") == "review" or number >= len(items):
                return redirect(reverse("measures:response_review", args=[response.pk]))
            step = -1 if request.POST.get("go") == "back" else 1
            return redirect(f"{reverse('measures:response_answer', args=[response.pk])}?q={number + step}")
    shown = items if show_all else [i for i in items if i.number == number]
    context = {
        "response": response,
        "questions": [
            {
                "item": item,
                "options": list(item.option_set.options.all()),
                "current": answers.get(item.pk),
                "error": errors.get(item.number, ""),
            }
            for item in shown
        ],
        "answers": answers,
        "errors": errors,
        "show_all": show_all,
        "number": number,
        "total": len(items),
        "answered": len(answers),
    }
    return render(request, "measures/response_answer.html", context)


@role_required("participant")
@require_GET
def response_review(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_to_answer(user=request.user, response_id=pk)
    if response.is_submitted:
        return redirect("measures:response_done", pk=response.pk)
    items, answers = _questions(response)
    rows = [
        {
            "item": item,
            "label": next(
                (o.label or str(o.value) for o in item.option_set.options.all() if o.value == answers.get(item.pk)), ""
            ),
            "answered": item.pk in answers,
        }
        for item in items
    ]
    return render(
        request,
        "measures/response_review.html",
        {"response": response, "rows": rows, "missing": len(items) - len(answers)},
    )


@role_required("participant")
@require_POST
def response_submit(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_to_answer(user=request.user, response_id=pk)
    try:
        services.response_submit(response=response, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        if response.is_submitted:
            return redirect("measures:response_done", pk=response.pk)
        return redirect("measures:response_review", pk=response.pk)
    return redirect("measures:response_done", pk=response.pk)


@role_required("participant")
@require_GET
def response_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Thanks; after a risk answer, a calm message with the crisis contacts, at once."""
    response = selectors.response_to_answer(user=request.user, response_id=pk)
    if not response.is_submitted:
        return redirect("measures:response_answer", pk=response.pk)
    flagged = RiskAlert.objects.filter(response=response).exists()
    context = {
        "response": response,
        "flagged": flagged,
        "contacts": crisis_contacts_for(region=response.cohort.holiday_region) if flagged else [],
        "can_correct": not response.corrections.exists(),
    }
    return render(request, "measures/response_done.html", context)


@role_required("participant")
@require_POST
def response_correct(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_to_answer(user=request.user, response_id=pk)
    try:
        correction = services.response_correct(response=response, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("measures:response_done", pk=response.pk)
    return redirect(f"{reverse('measures:response_answer', args=[correction.pk])}?q=1")


@role_required("participant")
@require_GET
def my_scores(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "measures/my_scores.html",
        {"histories": reports.participant_history(user=request.user), "due": selectors.responses_due_for(request.user)},
    )
