"""Risk answers: the calm message with crisis contacts, one alert and one notice per facilitator,
the facilitator's list until acknowledged with a note, and the selector for escalation."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.selectors import crisis_contacts_for
from measures.models import Item, Response, RiskAlert
from measures.reminder_kinds import RISK_ALERT_KIND
from measures.selectors import risk_alerts_open_for, risk_alerts_unacknowledged_since
from measures.services import item_risk_flag_set, response_answer, response_start, response_submit
from reminders.models import Reminder
from reminders.registry import get_kind
from reminders.rendering import render_parts
from tests.factories import FacilitatorFactory, ManagerFactory
from tests.measures.builders import scheduled_cohort

pytestmark = pytest.mark.measures


@pytest.fixture
def group(measures, facilitator):
    co = FacilitatorFactory()
    cohort, (person, other) = scheduled_cohort(measures, facilitators=[facilitator, co], participants=2)
    return cohort, person, other, co


def answered(measures, person, cohort, values, code="phq-9") -> Response:
    response = response_start(
        measure=measures[code], participant=person, cohort=cohort, time_point="baseline", by=person
    )
    for number, value in enumerate(values, start=1):
        item = Item.objects.get(measure=measures[code], number=number)
        response_answer(response=response, item=item, value=value, by=person)
    return response


def submit_over_http(client, person, response):
    client.force_login(person)
    return client.post(reverse("measures:response_submit", args=[response.pk]), follow=True)


def test_a_risk_answer_shows_the_crisis_contacts_at_once(client, group, measures):
    cohort, person, _other, _co = group
    response = answered(measures, person, cohort, [1, 1, 0, 0, 0, 0, 0, 0, 1])
    page = submit_over_http(client, person, response).content.decode()
    assert "You do not have to manage them on your own" in page
    assert "116 123" in page and "111" in page and "999" in page
    assert 'href="tel:116123"' in page


def test_no_risk_answer_no_message(client, group, measures):
    cohort, person, _other, _co = group
    response = answered(measures, person, cohort, [1] * 8 + [0])
    page = submit_over_http(client, person, response).content.decode()
    assert "116 123" not in page
    assert RiskAlert.objects.count() == 0
    assert Reminder.objects.filter(kind=RISK_ALERT_KIND).count() == 0


def test_each_facilitator_is_told_once_per_response_with_a_neutral_subject(client, group, measures, facilitator):
    cohort, person, _other, co = group
    response = answered(measures, person, cohort, [0] * 8 + [2])
    submit_over_http(client, person, response)
    submit_over_http(client, person, response)  # a second submit (another tab) changes nothing
    alert = RiskAlert.objects.get()
    notices = Reminder.objects.filter(kind=RISK_ALERT_KIND)
    assert sorted(n.recipient_id for n in notices) == sorted([facilitator.pk, co.pk])
    assert {n.subject_id for n in notices} == {str(alert.pk)}
    assert notices[0].due_at <= timezone.now()
    kind = get_kind(RISK_ALERT_KIND)
    assert kind.urgent and kind.essential


def test_the_alert_stays_on_the_facilitator_view_until_acknowledged_with_a_note(client, group, measures, facilitator):
    cohort, person, _other, co = group
    response = answered(measures, person, cohort, [0] * 8 + [1])
    response_submit(response=response, by=person)
    alert = RiskAlert.objects.get()
    client.force_login(facilitator)
    listing = client.get(reverse("measures:risk_alert_list")).content.decode()
    assert person.full_name in listing
    url = reverse("measures:risk_alert_acknowledge", args=[alert.pk])
    empty = client.post(url, {"note": "  "})
    assert empty.status_code == 200
    assert client.post(url, {"note": "Phoned the same afternoon; agreed a plan with their GP."}).status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == facilitator
    assert "Phoned" in alert.action_note
    assert person.full_name not in client.get(reverse("measures:risk_alert_list")).content.decode()
    client.force_login(co)
    assert list(risk_alerts_open_for(co)) == []


def test_alert_pages_for_each_role(client, group, measures, service_lead):
    cohort, person, other, _co = group
    response = answered(measures, person, cohort, [0] * 8 + [1])
    response_submit(response=response, by=person)
    alert = RiskAlert.objects.get()
    url = reverse("measures:risk_alert_acknowledge", args=[alert.pk])
    for user in (person, other, ManagerFactory(), service_lead):  # a facilitator's pages: 403 to anyone else
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get(reverse("measures:risk_alert_list")).status_code == 403
    client.force_login(FacilitatorFactory())  # another cohort's facilitator
    assert client.get(url).status_code == 404
    assert person.full_name not in client.get(reverse("measures:risk_alert_list")).content.decode()


def test_unacknowledged_since_is_for_the_escalation_ladder(group, measures, facilitator):
    cohort, person, _other, _co = group
    response = answered(measures, person, cohort, [0] * 8 + [1])
    response_submit(response=response, by=person)
    alert = RiskAlert.objects.get()
    assert list(risk_alerts_unacknowledged_since(timezone.now())) == [alert]
    assert list(risk_alerts_unacknowledged_since(alert.created_at - datetime.timedelta(seconds=1))) == []


def test_the_service_can_flag_another_item(group, measures, service_lead, facilitator):
    cohort, person, _other, _co = group
    gad_item = Item.objects.get(measure=measures["gad-7"], number=7)
    item_risk_flag_set(item=gad_item, risk_min_value=3, by=service_lead)
    response = answered(measures, person, cohort, [0] * 6 + [3], code="gad-7")
    response_submit(response=response, by=person)
    assert RiskAlert.objects.get().item == gad_item


def test_crisis_contacts_by_region_from_the_services_list(db):
    """The risk message reads the one list the service lead keeps (core.CrisisContact)."""
    assert [c.number for c in crisis_contacts_for(region="GB-ENG")] == ["116 123", "111", "999"]
    assert "988" in [c.number for c in crisis_contacts_for(region="CA-ON")]
    with override_settings(STEADY_DEFAULT_CRISIS_REGION="GB-SCT"):
        assert [c.number for c in crisis_contacts_for(region="")] == [
            c.number for c in crisis_contacts_for(region="GB-SCT")
        ]


def test_the_notice_renders_without_clinical_words(group, measures):

    cohort, person, _other, _co = group
    response = answered(measures, person, cohort, [0] * 8 + [1])
    response_submit(response=response, by=person)
    notice = Reminder.objects.filter(kind=RISK_ALERT_KIND).first()
    subject, text, _html = render_parts(notice)
    assert subject == "Please look at Steady today"
    text = (subject + " " + text.split("\n\n", 2)[1]).lower()
    for word in ("risk", "suicide", "harm", "phq", "depress", "crisis", "mental"):
        assert word not in text


def test_a_service_lead_flags_an_item_on_the_measure_page(client, measures, service_lead, facilitator):
    item = Item.objects.get(measure=measures["gad-7"], number=7)
    url = reverse("measures:item_risk_flag", args=[measures["gad-7"].pk, item.pk])
    client.force_login(facilitator)
    assert client.post(url, {"risk_min_value": "2"}).status_code == 403
    client.force_login(service_lead)
    page = client.get(reverse("measures:measure_detail", args=[measures["gad-7"].pk])).content.decode()
    assert url in page and f'for="risk-{item.pk}"' in page
    client.post(url, {"risk_min_value": "2"})
    item.refresh_from_db()
    assert item.risk_min_value == 2
    client.post(url, {"risk_min_value": "9"})  # no such answer: refused
    item.refresh_from_db()
    assert item.risk_min_value == 2
    client.post(url, {"risk_min_value": ""})
    item.refresh_from_db()
    assert item.risk_min_value is None
