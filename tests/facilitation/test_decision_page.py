"""The manager's decision page: ticks kept after an error, each session once, one comment box, back to the list."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from facilitation.models import ProtectedTimeEvent, ProtectedTimeRequest
from tests.facilitation.factories_protected_time import submitted

pytestmark = [pytest.mark.protected_time, pytest.mark.django_db]
PT = ProtectedTimeRequest


def decide_url(request: PT) -> str:
    return reverse("facilitation:protected_time_decide", kwargs={"pk": request.pk})


def test_ticks_and_comment_are_kept_after_the_say_why_error(client: Client) -> None:
    request = submitted()
    client.force_login(request.enrolment.participant.line_manager)
    first, second, third, _fourth = request.lines.order_by("starts_at")
    response = client.post(
        decide_url(request),
        {"action": "decline", "lines": [first.pk, third.pk], "comment": "Ask me again", "version": request.version},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Say why you are declining" in page
    assert re.search(rf'id="line-{first.pk}"[^>]*checked', page)
    assert re.search(rf'id="line-{third.pk}"[^>]*checked', page)
    assert not re.search(rf'id="line-{second.pk}"[^>]*checked', page)
    assert 'value="Ask me again"' in page


def test_each_session_is_listed_once_and_there_is_one_comment_box(client: Client) -> None:
    request = submitted()
    client.force_login(request.enrolment.participant.line_manager)
    first = request.lines.order_by("starts_at").first()
    client.post(decide_url(request), {"action": "approve", "lines": [first.pk], "version": request.version})
    page = client.get(decide_url(request)).content.decode()
    assert page.count(f'id="line-{first.pk}"') == 0  # decided: not offered again
    assert page.count("Already decided") == 1
    assert page.count('name="comment"') == 1
    assert page.count('name="lines"') == 3


def test_the_comment_box_sends_a_comment_alone(client: Client) -> None:
    request = submitted()
    client.force_login(request.enrolment.participant.line_manager)
    client.post(decide_url(request), {"action": "comment", "comment": "Which ward?", "version": request.version})
    assert ProtectedTimeEvent.objects.filter(request=request, action="commented").exists()
    assert PT.objects.get(pk=request.pk).status == PT.Status.SUBMITTED


def test_approve_all_from_the_list_comes_back_to_the_list(client: Client) -> None:
    request = submitted()
    client.force_login(request.enrolment.participant.line_manager)
    home = client.get(reverse("facilitation:manager_home")).content.decode()
    assert 'name="back" value="list"' in home
    response = client.post(decide_url(request), {"action": "approve_all", "back": "list", "version": request.version})
    assert response.status_code == 302
    assert response.url == reverse("facilitation:manager_home")
    assert PT.objects.get(pk=request.pk).status == PT.Status.APPROVED


def test_steady_colours_replace_the_framework_blue_and_checkboxes_are_visible() -> None:
    with open(finders.find("css/steady.css"), encoding="utf-8") as stylesheet:
        css = stylesheet.read()
    outline = re.search(r"\.btn-outline-primary \{([^}]*)\}", css)
    assert outline and "--steady-calm" in outline.group(1)
    checkbox = re.search(r"\.form-check-input \{([^}]*)\}", css)
    assert checkbox and "border: 2px solid" in checkbox.group(1)
