"""Protected-time pages over HTTP, as each role (and the wrong ones)."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from facilitation.models import ProtectedTimeDelegation, ProtectedTimeEvent, ProtectedTimeRequest
from facilitation.selectors.protected_time import participant_protected_time
from facilitation.services.delegations import protected_time_delegation_create
from facilitation.services.protected_time_decisions import protected_time_approve, protected_time_decline
from tests.facilitation.factories_protected_time import drafted, small_cohort, submitted
from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory, UserFactory

pytestmark = [pytest.mark.protected_time, pytest.mark.django_db]
PT = ProtectedTimeRequest


def decide_url(request: PT) -> str:
    return reverse("facilitation:protected_time_decide", kwargs={"pk": request.pk})


def test_manager_home_lists_own_staff_only_with_neutral_label(client: Client) -> None:
    mine = submitted()
    manager = mine.enrolment.participant.line_manager
    theirs = submitted()
    client.force_login(manager)
    page = client.get(reverse("facilitation:manager_home")).content.decode()
    assert mine.enrolment.participant.full_name in page
    assert theirs.enrolment.participant.full_name not in page
    assert "Staff wellbeing group" in page
    assert mine.enrolment.cohort.programme.name not in page
    assert "Week 1 theme" not in page
    assert "1 request waiting for you" in page or "One request waiting for you" in page


@pytest.mark.parametrize("staff", [4, 40])
def test_manager_pending_list_runs_a_constant_number_of_queries(
    client: Client, django_assert_num_queries, staff: int
) -> None:
    manager = ManagerFactory()
    cohort = small_cohort()
    for _ in range(staff):
        submitted(cohort, ParticipantFactory(line_manager=manager))
    client.force_login(manager)
    # session, user, delegations received, requests, lines, delegations given
    with django_assert_num_queries(8):  # six for the list, line managers to confirm, the notification bell
        response = client.get(reverse("facilitation:manager_home"))
    assert response.content.decode().count('name="requests"') == staff
    # Again, from the page cache: the session and the user only.
    with django_assert_num_queries(2):
        response = client.get(reverse("facilitation:manager_home"))
    assert response.content.decode().count('name="requests"') == staff


def test_wrong_roles_are_refused(client: Client) -> None:
    request = submitted()
    client.force_login(request.enrolment.participant)
    assert client.get(reverse("facilitation:manager_home")).status_code == 403
    assert client.get(reverse("facilitation:protected_time_inbox")).status_code == 403
    assert client.get(decide_url(request)).status_code == 404
    client.force_login(FacilitatorFactory())
    assert client.get(reverse("facilitation:protected_time_calendar")).status_code == 403


def test_deciding_a_request_that_is_not_yours_is_404_and_changes_nothing(client: Client) -> None:
    request = submitted()
    client.force_login(ManagerFactory())
    assert client.get(decide_url(request)).status_code == 404
    response = client.post(decide_url(request), {"action": "approve_all", "version": 1})
    assert response.status_code == 404
    url = reverse("facilitation:protected_time_comment", kwargs={"pk": request.pk})
    assert client.post(url, {"comment": "hi"}).status_code == 404
    assert PT.objects.get(pk=request.pk).status == PT.Status.SUBMITTED
    assert not ProtectedTimeEvent.objects.filter(action__in=["approved", "commented"]).exists()


def test_manager_approves_all_from_the_list(client: Client) -> None:
    request = submitted()
    client.force_login(request.enrolment.participant.line_manager)
    version = PT.objects.get(pk=request.pk).version
    response = client.post(decide_url(request), {"action": "approve_all", "version": version}, follow=True)
    assert "Approved" in response.content.decode()
    assert PT.objects.get(pk=request.pk).status == PT.Status.APPROVED


def test_manager_approves_some_sessions_then_declines_one_with_reason(client: Client) -> None:
    request = submitted()
    client.force_login(request.enrolment.participant.line_manager)
    lines = list(request.lines.order_by("starts_at"))
    page = client.get(decide_url(request)).content.decode()
    assert page.count('name="lines"') == 4
    version = PT.objects.get(pk=request.pk).version
    client.post(decide_url(request), {"action": "approve", "lines": [lines[0].pk, lines[1].pk], "version": version})
    version = PT.objects.get(pk=request.pk).version
    response = client.post(decide_url(request), {"action": "decline", "lines": [lines[2].pk], "version": version})
    assert response.status_code == 400
    assert "Say why you are declining" in response.content.decode()
    assert request.lines.get(pk=lines[2].pk).decision == "pending"
    client.post(
        decide_url(request),
        {"action": "decline", "lines": [lines[2].pk, lines[3].pk], "reason": "Rota gap", "version": version},
    )
    assert PT.objects.get(pk=request.pk).status == PT.Status.PARTLY_APPROVED


def test_second_decider_on_a_stale_page_is_told(client: Client) -> None:
    request = submitted()
    manager = request.enrolment.participant.line_manager
    version = PT.objects.get(pk=request.pk).version
    protected_time_approve(request=request, actor=manager)
    client.force_login(manager)
    response = client.post(
        decide_url(request),
        {"action": "decline", "lines": [request.lines.first().pk], "reason": "x", "version": version},
        follow=True,
    )
    assert "changed while you were looking" in response.content.decode()
    assert PT.objects.get(pk=request.pk).status == PT.Status.APPROVED


def test_bulk_approve_several(client: Client) -> None:
    manager = ManagerFactory()
    cohort = small_cohort()
    one, two, three = (submitted(cohort, ParticipantFactory(line_manager=manager)) for _ in range(3))
    other = submitted(cohort)
    client.force_login(manager)
    client.post(reverse("facilitation:protected_time_bulk_approve"), {"requests": [one.pk, two.pk]})
    assert PT.objects.get(pk=one.pk).status == PT.Status.APPROVED
    assert PT.objects.get(pk=two.pk).status == PT.Status.APPROVED
    assert PT.objects.get(pk=three.pk).status == PT.Status.SUBMITTED
    response = client.post(reverse("facilitation:protected_time_bulk_approve"), {"requests": [other.pk]}, follow=True)
    assert "Tick at least one request" in response.content.decode()
    assert PT.objects.get(pk=other.pk).status == PT.Status.SUBMITTED


def test_deputy_who_is_not_a_manager_sees_and_decides(client: Client) -> None:
    request = submitted()
    manager = request.enrolment.participant.line_manager
    deputy = UserFactory()
    client.force_login(deputy)
    assert client.get(reverse("facilitation:protected_time_inbox")).status_code == 403
    assert client.get(decide_url(request)).status_code == 404
    today = timezone.localdate()
    protected_time_delegation_create(manager=manager, deputy=deputy, starts_on=today, ends_on=today)
    page = client.get(reverse("facilitation:protected_time_inbox")).content.decode()
    assert request.enrolment.participant.full_name in page
    version = PT.objects.get(pk=request.pk).version
    client.post(decide_url(request), {"action": "approve_all", "version": version})
    client.force_login(manager)
    history = client.get(reverse("facilitation:protected_time_history")).content.decode()
    assert f"{deputy.full_name} (for {manager.full_name})" in history


def test_manager_names_a_deputy_by_email(client: Client) -> None:
    manager = ManagerFactory()
    colleague = UserFactory()
    client.force_login(manager)
    url = reverse("facilitation:protected_time_delegations")
    today = timezone.localdate()
    bad = client.post(url, {"deputy_email": "nobody@x.example", "starts_on": today, "ends_on": today})
    assert bad.status_code == 400
    assert "No one with an active account" in bad.content.decode()
    client.post(url, {"deputy_email": colleague.email, "starts_on": today, "ends_on": today})
    delegation = ProtectedTimeDelegation.objects.get(manager=manager)
    assert delegation.deputy == colleague
    client.post(reverse("facilitation:protected_time_delegation_end", kwargs={"pk": delegation.pk}))
    assert ProtectedTimeDelegation.objects.get(pk=delegation.pk).revoked_at is not None


def test_calendar_has_the_approved_times_only_with_neutral_words(client: Client) -> None:
    request = submitted()
    manager = request.enrolment.participant.line_manager
    first = request.lines.order_by("starts_at").first()
    protected_time_approve(request=request, actor=manager, line_ids=[first.pk])
    client.force_login(manager)
    response = client.get(reverse("facilitation:protected_time_calendar"))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1  # the approved session, while the rest still wait
    protected_time_decline(request=request, actor=manager, reason="Rota")
    events = Calendar.from_ical(client.get(reverse("facilitation:protected_time_calendar")).content).walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    # A shared rota says only "protected time": not the group, not even its neutral label.
    assert str(event["summary"]) == f"{request.enrolment.participant.full_name}: protected time"
    assert "group" not in response.content.decode().lower()
    assert event.decoded("dtend") == first.ends_at
    assert (event.decoded("dtend") - event.decoded("dtstart")) == datetime.timedelta(minutes=first.minutes)


def test_participant_reviews_sends_and_sees_each_sessions_status(client: Client) -> None:
    request = drafted()
    participant = request.enrolment.participant
    client.force_login(participant)
    url = reverse("facilitation:protected_time_participant", kwargs={"pk": request.pk})
    page = client.get(url).content.decode()
    assert "Send to my line manager" in page
    assert participant.line_manager.full_name in page
    client.post(reverse("facilitation:protected_time_participant_submit", kwargs={"pk": request.pk}))
    assert PT.objects.get(pk=request.pk).status == PT.Status.SUBMITTED
    response = client.post(
        reverse("facilitation:protected_time_participant_submit", kwargs={"pk": request.pk}), follow=True
    )
    assert "already been sent" in response.content.decode()
    client.force_login(ParticipantFactory())
    assert client.get(url).status_code == 404
    assert (
        client.post(reverse("facilitation:protected_time_participant_withdraw", kwargs={"pk": request.pk})).status_code
        == 404
    )
    assert PT.objects.get(pk=request.pk).status == PT.Status.SUBMITTED


def test_participant_partial_context_uses_constant_queries(django_assert_num_queries) -> None:

    participant = ParticipantFactory()
    submitted(participant=participant)
    with django_assert_num_queries(2):
        one = render_to_string(
            "facilitation/partials/participant_protected_time.html", participant_protected_time(participant=participant)
        )
    for _ in range(2):
        drafted(participant=participant)
    with django_assert_num_queries(2):
        three = render_to_string(
            "facilitation/partials/participant_protected_time.html", participant_protected_time(participant=participant)
        )
    assert one.count("pt-line") < three.count("pt-line")
    assert "Waiting for a decision" in three


def test_facilitator_matrix_is_for_the_cohorts_facilitators_only(client: Client, django_assert_max_num_queries) -> None:
    cohort = small_cohort()
    approved = submitted(cohort)
    protected_time_approve(request=approved, actor=approved.enrolment.participant.line_manager)
    waiting = submitted(cohort)
    draft = drafted(cohort)
    url = reverse("facilitation:protected_time_matrix", kwargs={"pk": cohort.pk})
    client.force_login(FacilitatorFactory())
    assert client.get(url).status_code == 404
    client.force_login(cohort.facilitators.get())
    with django_assert_max_num_queries(8):
        page = client.get(url).content.decode()
    assert page.count('class="text-center pt-cell pt-covered"') == 4
    assert page.count('class="text-center pt-cell pt-pending"') == 4
    assert page.count('class="text-center pt-cell pt-not_asked"') == 4
    assert draft.enrolment.participant.full_name in page
    assert waiting.enrolment.participant.full_name in page
    client.post(reverse("facilitation:protected_time_facilitator_submit", kwargs={"pk": draft.pk}))
    assert PT.objects.get(pk=draft.pk).status == PT.Status.SUBMITTED


def test_facilitator_records_time_agreed_outside_steady_over_http(client: Client) -> None:
    cohort = small_cohort()
    orphan = drafted(cohort, ParticipantFactory(line_manager=None))
    client.force_login(cohort.facilitators.get())
    url = reverse("facilitation:protected_time_record_external", kwargs={"pk": orphan.pk})
    assert (
        "Record time agreed outside Steady"
        in client.get(reverse("facilitation:protected_time_matrix", kwargs={"pk": cohort.pk})).content.decode()
    )
    bad = client.post(url, {"note": ""})
    assert bad.status_code == 400
    assert "who agreed the time" in bad.content.decode()
    client.post(url, {"note": "Agreed with the duty manager on 2 March"})
    assert PT.objects.get(pk=orphan.pk).status == PT.Status.APPROVED
    client.force_login(FacilitatorFactory())
    assert client.get(url).status_code == 404
