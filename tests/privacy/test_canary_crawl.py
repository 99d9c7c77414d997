"""Canaries: a unique string in every clinical field, and a crawl of all that others can reach.

``tests/privacy/canaries.py`` plants a canary through the services in every clinical free-text field that
``core.personal_data.register_clinical_text`` declares (and the participant's questionnaire score). Then
each person who must never read them (her line manager, his deputy, another manager, the service lead with
admin access, a participant of the same group and one of another group) crawls every page, admin page,
export, ``.ics`` feed and notification they can reach, starting from their home pages, the addresses of
the planted records themselves and the links in their emails; and every email Steady sent them is read.
No canary may turn up. The facilitator of the group crawls the same way and must find the notes, so a
crawler that reaches nothing cannot pass.
"""

from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.core import mail
from django.db import models
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from core.admin import ClinicalModelAdmin
from core.personal_data import clinical_text_fields
from facilitation.models import ProtectedTimeRequest
from measures.models import Response, RiskAlert
from reminders.models import Reminder
from sessions.models import CalendarFeed, CheckIn, GroupSession, HelpRequest
from tests.factories import UserFactory
from tests.privacy.canaries import CRAWL_AT, Planted, at, plant_canaries
from tests.privacy.crawler import Crawl, links_in_text
from tests.support.world import build_world, resolve_all

pytestmark = [pytest.mark.privacy, pytest.mark.django_db]

STEADY_APPS = {"core", "accounts", "reminders", "programmes", "group_sessions", "measures", "facilitation"}

# Free text on a model that holds clinical records, or named like a note, that is deliberately not clinical.
NOT_CLINICAL = {
    "group_sessions.GroupSession.moved_reason": "why a session moved: told to every member",
    "group_sessions.GroupSession.cancel_reason": "why a session was cancelled: told to every member",
    "group_sessions.CheckIn.place_detail": "a room, phone number or video link for the meeting",
    "group_sessions.CheckIn.time_zone": "a time zone",
    "group_sessions.PlaceOverride.email": "whom the go-ahead is for (erased with the person)",
    "group_sessions.ClosureDate.description": "why the service is closed that day",
    "facilitation.ProtectedTimeRequest.external_note": "how the time was agreed: between the person and their manager",
    "facilitation.ProtectedTimeEvent.comment": "a comment on a request for time, written to the manager",
    "core.CrisisContact.note": "the service's own list of where to turn",
    "core.AccessLog.detail": "which fields changed, never their text",
    "programmes.AgendaItem.notes": "programme content",
    "programmes.Programme.summary": "programme content",
    "measures.Response.time_point": "baseline, mid, end or booster-N",
    "programmes.SessionPlan.intensity_preparation": "programme content",
    "measures.Measure.reproduction_notes": "how a questionnaire is reproduced",
    "measures.Scale.notes": "how a scale is scored",
    "reminders.Reminder.last_error": "the mail server's reply",
}
NOTE_LIKE = re.compile(r"(^|_)(notes?|reasons?|message|comment|summary|follow_up|warning|description|detail)(_|$)")
# Canaries the group's facilitator must find (the crawl's positive control).
FACILITATOR_SEES = (
    "group_sessions.CheckIn.notes",
    "group_sessions.CheckIn.follow_up_actions",
    "group_sessions.HelpRequest.message",
    "group_sessions.GroupSession.group_notes",
    "group_sessions.Enrolment.withdrawal_reason",
    "group_sessions.BlockedDate.reason",
)


# What the participant herself may read outside her data export: what she wrote, and what was shared with her.
HERS_TO_READ = (
    "group_sessions.CheckIn.shared_summary",
    "group_sessions.HelpRequest.message",
    "group_sessions.Attendance.note: her apologies",
    "measures.Score.value",
)
OWN_EXPORT = {"/me/data/", "/me/data.json"}


def free_text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, (models.CharField, models.TextField)) and f.concrete and not f.choices
    ]


def test_every_clinical_free_text_field_is_declared() -> None:
    """A free-text field on a clinical model, or named like a note, is declared clinical or listed here as not."""
    declared = {f"{label}.{name}" for label, names in clinical_text_fields().items() for name in names}
    clinical_models = {m._meta.label for m, a in admin.site._registry.items() if isinstance(a, ClinicalModelAdmin)}
    undecided = []
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in STEADY_APPS:
            continue
        for f in free_text_fields(model):
            name = f"{label}.{f.name}"
            if name in declared or name in NOT_CLINICAL or f.name.endswith(("token", "token_hash", "hash")):
                continue
            if label in clinical_models or NOTE_LIKE.search(f.name):
                undecided.append(name)
    assert undecided == [], "declare these clinical (register_clinical_text) or add them to NOT_CLINICAL"
    # What the admin hides from superusers is clinical, and so declared.
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, ClinicalModelAdmin) and model_admin.exclude:
            assert {f"{model._meta.label}.{n}" for n in model_admin.exclude} <= declared, model._meta.label


HELP_REQUEST_URLS = ("sessions:help_request_detail", "sessions:help_request_handle")


def test_the_admin_shows_no_clinical_text_even_to_superusers(rf) -> None:
    """No change form, list, search box or filter of the admin holds a declared clinical field."""
    request = rf.get("/admin/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    shown_anywhere = []
    for model, model_admin in admin.site._registry.items():
        clinical = set(clinical_text_fields().get(model._meta.label, ()))
        if not clinical:
            continue
        shown = set(model_admin.get_fields(request)) | set(model_admin.get_readonly_fields(request))
        shown |= {f for f in model_admin.get_list_display(request) if isinstance(f, str)}
        shown |= {f.lstrip("^=@").split("__")[0] for f in model_admin.get_search_fields(request)}
        shown |= {f.split("__")[0] for f in model_admin.get_list_filter(request) if isinstance(f, str)}
        shown_anywhere += [f"{model._meta.label}.{name}" for name in sorted(shown & clinical)]
    assert shown_anywhere == []


def direct_addresses(world: Planted) -> list[str]:
    """The addresses of the planted records themselves: what a curious person would type."""
    cohort = world.cohort
    sessions = list(GroupSession.objects.filter(cohort=cohort).order_by("starts_at")[:2])
    paths = [reverse("sessions:cohort_detail", args=[cohort.pk]), reverse("sessions:cohort_overview", args=[cohort.pk])]
    paths += [reverse(name, args=[s.pk]) for s in sessions for name in ("sessions:session_run", "sessions:session_ics")]
    paths += [reverse("sessions:session_notes", args=[s.pk]) for s in sessions]
    for checkin in CheckIn.objects.filter(cohort=cohort):
        paths += [reverse(n, args=[checkin.pk]) for n in ("sessions:checkin_detail", "sessions:checkin_ics")]
    for request in HelpRequest.objects.filter(cohort=cohort):
        paths += [reverse(n, args=[request.pk]) for n in HELP_REQUEST_URLS]
    for enrolment in cohort.enrolments.all():
        paths += [reverse("sessions:enrolment_pack", args=[enrolment.pk])]
        paths += [reverse("sessions:enrolment_withdraw", args=[enrolment.pk])]
    for request in ProtectedTimeRequest.objects.filter(enrolment__cohort=cohort):
        paths += [reverse("facilitation:protected_time_decide", args=[request.pk])]
        paths += [reverse("facilitation:protected_time_participant", args=[request.pk])]
    for response in Response.objects.filter(cohort=cohort):
        paths += [reverse(n, args=[response.pk]) for n in ("measures:response_review", "measures:response_done")]
    paths += [reverse("measures:risk_alert_acknowledge", args=[a.pk]) for a in RiskAlert.objects.all()]
    paths += [
        reverse(name, args=[cohort.pk])
        for name in (
            "measures:cohort_results",
            "measures:cohort_evaluation",
            "measures:cohort_evaluation_csv",
            "measures:cohort_research_csv",
            "facilitation:protected_time_matrix",
        )
    ]
    return paths


CANARY_MODELS = ("CheckIn", "HelpRequest", "Attendance", "GroupSession", "Enrolment", "BlockedDate", "PlaceOverride")


def admin_addresses(*, deletions: bool) -> list[str]:
    """Every admin list, the change page of its first rows, and the change and history pages of planted records.

    With ``deletions``, the delete confirmations too: they name every related row (answers, scores).
    """
    paths = ["/admin/"]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        paths.append(reverse("admin:{}_{}_changelist".format(*info)))
        planted = model.__name__ in CANARY_MODELS or model in (Response, RiskAlert)
        rows = model._default_manager.order_by("pk").values_list("pk", flat=True)
        for pk in rows[:6] if planted else rows[:2]:
            pages = ("change", "history", "delete") if deletions and planted else ("change", "history")
            paths += [reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[pk]) for page in pages[: 3 if planted else 1]]
    return paths


COMMON_SEEDS = [
    "/",
    "/me/",
    "/facilitating/",
    "/team/",
    "/service/",
    "/reminders/notifications/",
    "/reminders/preferences/",
    "/me/data/",
    "/me/data.json",
    "/sessions/checkins/",
    "/sessions/checkins/facilitating/",
    "/sessions/checkins/availability/",
    "/team/protected-time/",
    "/team/protected-time/history/",
    "/team/protected-time/approved.ics",
    "/team/deputies/",
    "/service/report/",
    "/service/report.csv",
    "/service/audit/",
    "/measures/",
    "/measures/mine/",
    "/measures/alerts/",
    "/reminders/operations/",
    "/programmes/",
    "/admin/",
]


def emails_to(person) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if person.email in [*m.to, *m.cc, *m.bcc]]


def email_text(message: mail.EmailMessage) -> str:
    parts = [message.subject, str(message.body), *(str(c) for c, _t in getattr(message, "alternatives", []))]
    return "\n".join([*parts, *(f"{k}: {v}" for k, v in message.extra_headers.items())])


def crawl_as(person, world: Planted, named: list[str], *, limit: int = 400) -> Crawl:
    client = Client()
    client.force_login(person)
    seeds = [*named, *COMMON_SEEDS, *direct_addresses(world)] if person.roles else []
    if person.is_staff:
        seeds += admin_addresses(deletions=person.is_superuser)
    if feed := CalendarFeed.objects.filter(user=person).first():
        seeds.append(reverse("sessions:calendar_feed", kwargs={"token": feed.token}))
    # The admin's pages are the slowest: someone with no Steady role crawls its seeds and a hundred links more.
    crawl = Crawl(client, world.canaries, limit=limit if person.roles else len(seeds) + 100)
    for message in emails_to(person):
        crawl.look(email_text(message), where=f"email {message.subject!r}")
        seeds += links_in_text(email_text(message))
    for reminder in Reminder.objects.filter(recipient=person):
        crawl.look(json.dumps(reminder.context, default=str), where=f"notification {reminder.kind} (its context)")
    return crawl.run(seeds)


def admin_search(client: Client, crawl: Crawl, world: Planted) -> int:
    """Search every admin list that has a search box for each canary: no row may match."""
    searched = 0
    for path, status in list(crawl.fetched):
        if status != 200 or not re.fullmatch(r"/admin/\w+/\w+/", path):
            continue
        first = client.get(path)
        if not first.context or "cl" not in first.context or not first.context["cl"].search_fields:
            continue
        for label, planted in world.canaries.items():
            response = client.get(path, {"q": planted})
            searched += 1
            if response.context["cl"].result_count:
                crawl.found.setdefault(label, set()).add(f"admin search {path}?q=")
    return searched


def report(name: str, crawl: Crawl) -> str:
    lines = [f"{name}: {len(crawl.fetched)} requests"]
    lines += [f"  {label} leaked at {sorted(where)}" for label, where in sorted(crawl.found.items())]
    return "\n".join(lines)


def test_no_canary_reaches_managers_leads_or_other_participants(eager_celery, mailoutbox, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    base = build_world()
    named = list(resolve_all(base).values())  # every named URL outside the admin, at the participant's records
    world = plant_canaries(base)
    declared = {(label, name) for label, names in clinical_text_fields().items() for name in names}
    planted = {(label, name) for label, names in world.fields.items() for name in names}
    assert declared - planted == set(), "a declared clinical field has no canary"
    assert len(set(world.canaries.values())) == len(world.canaries)

    observers = {
        "her line manager": world.manager,
        "his deputy": world.deputy,
        "another manager": world.other_manager,
        "the service lead (admin access)": world.lead,
        "a participant in her group": world.same_cohort,
        "a participant of another group": world.elsewhere,
        "a facilitator of another group": world.other_facilitator,
        "a superuser with no Steady role (admin)": world.superuser,
    }
    for person in (world.manager, world.other_manager, world.lead):
        assert emails_to(person), f"{person} was sent nothing: the emails are not being read"
    # Email leaves Steady (shared inboxes, lock screens): no clinical text travels by it, to anyone at all.
    mailed = {
        label: [m.subject for m in mail.outbox if planted.lower() in email_text(m).lower()]
        for label, planted in world.canaries.items()
    }
    assert {label: subjects for label, subjects in mailed.items() if subjects} == {}
    with at(CRAWL_AT):
        control = crawl_as(world.facilitator, world, named)
        herself = crawl_as(world.participant, world, named)
        crawls = {name: crawl_as(person, world, named) for name, person in observers.items()}
        lead_client = Client()
        lead_client.force_login(world.lead)
        searched = admin_search(lead_client, crawls["the service lead (admin access)"], world)

    missing = [label for label in FACILITATOR_SEES if not any(found.startswith(label) for found in control.found)]
    assert missing == [], f"the crawl is blind: the facilitator did not find {missing}\n" + report(
        "facilitator", control
    )
    admin_pages = [
        p for p, s in crawls["the service lead (admin access)"].fetched if p.startswith("/admin/") and s == 200
    ]
    assert len(admin_pages) > 20 and searched > 0, "the service lead's crawl never reached the admin"
    leaks = [report(name, crawl) for name, crawl in crawls.items() if crawl.found]
    assert leaks == [], "\n".join(leaks)
    # The participant reads what she wrote and what was shared with her, and her whole record in her own
    # data export (her right of access); the facilitators' notes and other people's records nowhere else.
    assert any(label.startswith("group_sessions.CheckIn.shared_summary") for label in herself.found)
    hers = {label: where - OWN_EXPORT for label, where in herself.found.items() if not label.startswith(HERS_TO_READ)}
    assert {label: sorted(where) for label, where in hers.items() if where} == {}, report("herself", herself)
    print(
        f"\ncanaries: {len(world.canaries)} planted in {len(planted)} fields; herself: {len(herself.fetched)}; "
        + ", ".join(f"{name}: {len(c.fetched)} requests" for name, c in crawls.items())
        + f"; facilitator control: {len(control.fetched)} requests, found {len(control.found)} canaries"
        + f"; admin pages: {len(admin_pages)}, admin searches: {searched}; emails: {len(mail.outbox)}"
    )


class FakeSite:
    """Pages by path, for proving the crawler itself: what it follows and what it catches."""

    def __init__(self, pages: dict[str, HttpResponse]) -> None:
        self.pages = pages

    def get(self, path: str, data: object = None) -> HttpResponse:
        return self.pages.get(path) or HttpResponse(status=404)


def test_the_crawler_follows_links_and_catches_a_canary_however_it_is_cut() -> None:
    planted = {"note": "CANARY-CheckIn-notes-0a1b2c3d", "score": "3.42"}
    folded = HttpResponse(
        "BEGIN:VCALENDAR\r\nDESCRIPTION:Talked about CANARY-Chec\r\n kIn-notes-0a1b2c3d\r\nEND:VCALENDAR\r\n",
        content_type="text/calendar",
    )
    header = HttpResponse("fine")
    header["Content-Disposition"] = 'attachment; filename="3.42.csv"'
    pages = {
        "/": HttpResponse('<a href="/list/">list</a> <form><input name="q"></form>'),
        "/list/": HttpResponse('<div hx-get="/cut/"></div><a href="https://evil.example/x">x</a><a href="/feed.ics">'),
        "/cut/": HttpResponse('<p>Notes: CANARY-CheckIn-no…</p><a href="/moved/">more</a>'),
        "/moved/": HttpResponse(status=302, headers={"Location": "/file/"}),
        "/file/": header,
        "/feed.ics": folded,
    }
    crawl = Crawl(FakeSite(pages), planted).run(["/"])
    assert {path for path, _status in crawl.fetched} == {"/", "/list/", "/cut/", "/moved/", "/file/", "/feed.ics"}
    cut = [label for label in crawl.found if label.startswith("part of a canary: 'canary-checkin-no…")]
    assert crawl.found == {"note": {"/feed.ics"}, "score": {"/file/"}, cut[0]: {"/cut/"}}
