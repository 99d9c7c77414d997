"""Starting a new version of a programme over HTTP."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from programmes.models import Programme
from tests.factories import ManagerFactory, ParticipantFactory, programme_with_plans

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


def new_version_url(programme) -> str:
    return reverse("programmes:programme_new_version", kwargs={"pk": programme.pk})


@pytest.mark.parametrize("who", ["facilitator", "service_lead"])
def test_the_library_users_start_a_draft_next_version(client, request, who) -> None:
    programme = programme_with_plans(weeks=3, boosters=1)
    client.force_login(request.getfixturevalue(who))
    response = client.post(new_version_url(programme))
    copy = Programme.objects.get(family=programme.family, version=2)
    assert response.status_code == 302 and response.url == copy.get_absolute_url()
    assert [str(message) for message in get_messages(response.wsgi_request)] == ["Version 2 created as a draft."]
    assert copy.status == Programme.Status.DRAFT
    assert copy.session_plans.count() == programme.session_plans.count() == 4
    programme.refresh_from_db()
    assert programme.status == Programme.Status.PUBLISHED


@pytest.mark.parametrize("make", [ParticipantFactory, ManagerFactory], ids=["participant", "manager"])
def test_people_outside_the_library_cannot_start_a_version(client, make) -> None:
    programme = programme_with_plans(weeks=3, boosters=1)
    client.force_login(make())
    assert client.post(new_version_url(programme)).status_code == 403
    assert Programme.objects.filter(family=programme.family).count() == 1


def test_a_new_version_is_post_only_and_needs_signing_in(client, facilitator) -> None:
    programme = programme_with_plans(weeks=3, boosters=1)
    response = client.post(new_version_url(programme))
    assert response.status_code == 302 and response.url.startswith(reverse("login") + "?next=")
    client.force_login(facilitator)
    assert client.get(new_version_url(programme)).status_code == 405
    assert Programme.objects.filter(family=programme.family).count() == 1


def test_an_unknown_programme_is_not_found(client, facilitator) -> None:
    client.force_login(facilitator)
    assert client.post(reverse("programmes:programme_new_version", kwargs={"pk": 999999})).status_code == 404
