"""Nobody decides a request they made, and a deputy sees only what they may decide (privacy fix 4)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.errors import NotAllowed
from facilitation.models import ProtectedTimeLine, ProtectedTimeRequest
from facilitation.services.delegations import protected_time_delegation_create
from facilitation.services.protected_time_decisions import (
    protected_time_approve,
    protected_time_bulk_approve,
    protected_time_decline,
)
from tests.facilitation.factories_protected_time import small_cohort, submitted
from tests.factories import ManagerFactory, ParticipantFactory

pytestmark = [pytest.mark.privacy, pytest.mark.django_db]
PT = ProtectedTimeRequest


def _team_with_a_deputy_among_them(colleagues: int = 3):
    """A manager whose staff (the deputy among them) all asked for time; the deputy was named by the manager."""
    manager = ManagerFactory()
    cohort = small_cohort(weeks=2)
    deputy = ParticipantFactory(line_manager=manager)
    own = submitted(cohort, deputy)
    others = [submitted(cohort, ParticipantFactory(line_manager=manager)) for _ in range(colleagues)]
    today = timezone.localdate()
    protected_time_delegation_create(manager=manager, deputy=deputy, starts_on=today, ends_on=today)
    return manager, deputy, own, others


def _decide_url(request: PT) -> str:
    return reverse("facilitation:protected_time_decide", kwargs={"pk": request.pk})


def test_deputy_among_the_staff_sees_colleagues_requests_never_their_own(client: Client) -> None:
    _manager, deputy, own, others = _team_with_a_deputy_among_them()
    client.force_login(deputy)
    inbox = client.get(reverse("facilitation:protected_time_inbox"))
    assert inbox.status_code == 200
    assert [r.pk for r in inbox.context["pending"]] == [r.pk for r in others]
    assert _decide_url(own) not in inbox.content.decode()
    assert client.get(_decide_url(own)).status_code == 404
    assert client.get(_decide_url(others[0])).status_code == 200
    history = client.get(reverse("facilitation:protected_time_history"))
    assert {e.request_id for e in history.context["events"]} == {r.pk for r in others}


def test_deputy_cannot_approve_their_own_request_over_http(client: Client) -> None:
    _manager, deputy, own, others = _team_with_a_deputy_among_them(colleagues=1)
    client.force_login(deputy)
    response = client.post(_decide_url(own), {"action": "approve_all", "version": own.version})
    assert response.status_code == 404
    bulk = client.post(reverse("facilitation:protected_time_bulk_approve"), {"requests": [own.pk, others[0].pk]})
    assert bulk.status_code == 302
    assert PT.objects.get(pk=own.pk).status == PT.Status.SUBMITTED
    assert not ProtectedTimeLine.objects.filter(request=own).exclude(decision=ProtectedTimeLine.Decision.PENDING)
    # The colleague's request is theirs to decide, and the deputy can decide it.
    client.post(_decide_url(others[0]), {"action": "approve_all", "version": others[0].version})
    assert PT.objects.get(pk=others[0].pk).status == PT.Status.APPROVED


@pytest.mark.parametrize("decide", ["approve", "decline", "bulk"])
def test_services_refuse_a_decision_on_a_request_one_made(decide: str) -> None:
    manager, deputy, own, others = _team_with_a_deputy_among_them(colleagues=1)
    with pytest.raises(NotAllowed, match="You cannot decide a request you made"):
        if decide == "approve":
            protected_time_approve(request=own, actor=deputy)
        elif decide == "decline":
            protected_time_decline(request=own, actor=deputy, reason="busy")
        else:
            protected_time_bulk_approve(requests=[others[0], own], actor=deputy)
    assert PT.objects.get(pk=own.pk).status == PT.Status.SUBMITTED
    assert PT.objects.get(pk=others[0].pk).status == PT.Status.SUBMITTED  # all or none
    # The manager still decides it.
    protected_time_approve(request=own, actor=manager)
    assert PT.objects.get(pk=own.pk).status == PT.Status.APPROVED


def test_a_manager_who_sent_a_request_for_someone_cannot_decide_it() -> None:
    manager = ManagerFactory()
    participant = ParticipantFactory(line_manager=manager)
    request = submitted(small_cohort(weeks=2), participant)
    PT.objects.filter(pk=request.pk).update(submitted_by=manager)
    request.refresh_from_db()
    with pytest.raises(NotAllowed, match="You cannot decide a request you made"):
        protected_time_approve(request=request, actor=manager)
