"""Check-in booking context: the purpose fits where the group is; a searchable list of current members;
the facilitator's own list of check-ins, past and upcoming."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from sessions.models import CheckIn, Enrolment
from tests.sessions.factories_checkins import cohort_with_people

pytestmark = [pytest.mark.checkins, pytest.mark.django_db]


def selected_kind(page: str) -> str:
    match = re.search(r'<option value="([a-z_]+)"[^>]*selected', page)
    assert match, "no purpose is chosen"
    return match.group(1)


@pytest.mark.parametrize(
    ("week", "expected"),
    [(None, "pre_group"), (2, "on_request"), (6, "mid_programme"), (12, "end_of_programme")],
)
def test_the_purpose_defaults_to_where_the_group_is(client, week, expected):
    cohort, facilitator, (amara, _ben) = cohort_with_people()
    sessions = list(cohort.group_sessions.filter(kind="weekly").order_by("starts_at"))
    when = sessions[0].starts_at - datetime.timedelta(days=3) if week is None else sessions[week - 1].starts_at
    with time_machine.travel(when + datetime.timedelta(hours=2), tick=False):
        client.force_login(amara)
        assert selected_kind(client.get(reverse("sessions:checkin_book")).content.decode()) == expected
        client.force_login(facilitator)
        page = client.get(reverse("sessions:checkin_book_for", args=[amara.pk])).content.decode()
        assert selected_kind(page) == expected


def test_the_person_list_is_searchable_and_leaves_out_former_members(client):
    _cohort, facilitator, (amara, ben, chloe) = cohort_with_people(participants=3)
    amara.first_name, amara.last_name = "Amara", "Okafor"
    amara.save()
    Enrolment.objects.filter(participant=chloe).update(status="withdrawn", place_number=None)
    client.force_login(facilitator)
    page = client.get(reverse("sessions:availability")).content.decode()
    assert 'list="person-names"' in page
    assert ben.full_name in page
    assert chloe.full_name not in page
    found = client.get(reverse("sessions:availability"), {"q": "okaf"}).content.decode()
    assert reverse("sessions:checkin_book_for", args=[amara.pk]) in found
    assert reverse("sessions:checkin_book_for", args=[ben.pk]) not in found


def book_many(cohort, facilitator, people, count, start):
    rows = [
        CheckIn(
            cohort=cohort,
            facilitator=facilitator,
            participant=people[i % len(people)],
            kind="on_request",
            starts_at=start + datetime.timedelta(days=i),
            ends_at=start + datetime.timedelta(days=i, minutes=30),
        )
        for i in range(count)
    ]
    CheckIn.objects.bulk_create(rows)


@pytest.mark.parametrize("count", [2, 30])
def test_the_facilitators_check_in_list_shows_past_and_upcoming_in_constant_queries(
    client, count, django_assert_num_queries
):
    cohort, facilitator, people = cohort_with_people(participants=3)
    now = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    book_many(cohort, facilitator, people, count, now - datetime.timedelta(days=count + 1))
    book_many(cohort, facilitator, people, count, now + datetime.timedelta(days=1))
    with time_machine.travel(now, tick=False):
        client.force_login(facilitator)
        # session, user, bell, upcoming, past count, past page
        with django_assert_num_queries(6):
            page = client.get(reverse("sessions:checkin_list_facilitator")).content.decode()
    assert "Coming up" in page and "Past" in page
    assert page.count(people[0].full_name) >= 1
    assert ("Older" in page) == (count > 20)


def test_the_check_in_list_is_for_facilitators_only(client):
    _cohort, _facilitator, (amara, _ben) = cohort_with_people()
    client.force_login(amara)
    assert client.get(reverse("sessions:checkin_list_facilitator")).status_code == 403
