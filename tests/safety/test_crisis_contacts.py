"""Crisis contacts: validated configuration per region, edited by the service lead on a page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.crisis_contacts import crisis_contact_save, crisis_contacts_load_defaults, crisis_number_parse
from core.errors import DomainError
from core.models import CrisisContact
from core.selectors import crisis_contacts_for
from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory, ServiceLeadFactory

pytestmark = [pytest.mark.safety, pytest.mark.django_db]


def test_defaults_are_loaded_for_england_and_ontario_and_loading_again_adds_nothing() -> None:
    names = [(c.name, c.number) for c in crisis_contacts_for(region="GB-ENG")]
    assert ("Samaritans", "116 123") in names and ("NHS 111", "111") in names and ("Emergency services", "999") in names
    assert next(c.number for c in crisis_contacts_for(region="CA-ON")) == "988"
    before = CrisisContact.objects.count()
    assert crisis_contacts_load_defaults() == 0
    assert CrisisContact.objects.count() == before


def test_a_region_without_its_own_list_uses_its_country_then_the_default() -> None:
    CrisisContact.objects.filter(region="GB-SCT").delete()
    assert next(c.region for c in crisis_contacts_for(region="GB-SCT")) == "GB"
    assert next(c.region for c in crisis_contacts_for(region="")) == "GB-ENG"


@pytest.mark.parametrize(
    ("raw", "shown", "href"),
    [
        ("116 123", "116 123", "tel:116123"),
        ("999", "999", "tel:999"),
        ("+1 (416) 555-0100", "+1 (416) 555-0100", "tel:+14165550100"),
        ("text shout to 85258", "Text SHOUT to 85258", "sms:85258?body=SHOUT"),
    ],
)
def test_numbers_accepted(raw, shown, href) -> None:
    number = crisis_number_parse(raw)
    assert (number.shown, number.href) == (shown, href)


@pytest.mark.parametrize("raw", ["", "call us", "12", "1234567890123456", "116--123", "+", "Text to 85258"])
def test_numbers_refused_with_the_reason(raw) -> None:
    with pytest.raises(DomainError) as refused:
        crisis_number_parse(raw)
    assert refused.value.field == "number" and refused.value.message


def test_a_contact_without_a_name_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        crisis_contact_save(region="GB-ENG", name="  ", number="116 123")
    assert refused.value.field == "name"


def test_the_service_lead_edits_the_list_on_a_page_and_sees_the_reason_for_a_refusal(client) -> None:
    client.force_login(ServiceLeadFactory())
    url = reverse("facilitation:crisis_contacts")
    refused = client.post(url, {"region": "GB-ENG", "name": "Shout", "number": "ring us"})
    assert refused.status_code == 200 and "Enter a phone number or short code" in refused.content.decode()
    assert not CrisisContact.objects.filter(name="Shout").exists()
    nameless = client.post(url, {"region": "GB-ENG", "name": "", "number": "85258"})
    assert "Give the contact a name" in nameless.content.decode()
    client.post(url, {"region": "gb-eng", "name": "Shout", "number": "Text SHOUT to 85258", "position": 5})
    shout = CrisisContact.objects.get(name="Shout")
    assert (shout.region, shout.number) == ("GB-ENG", "Text SHOUT to 85258")
    client.post(reverse("facilitation:crisis_contact_edit", args=[shout.pk]), {**vars_of(shout), "hours": "24/7"})
    shout.refresh_from_db()
    assert shout.hours == "24/7"
    client.post(reverse("facilitation:crisis_contact_remove", args=[shout.pk]))
    assert not CrisisContact.objects.filter(pk=shout.pk).exists()


def vars_of(contact) -> dict:
    return {"region": contact.region, "name": contact.name, "number": contact.number, "position": contact.position}


@pytest.mark.parametrize("factory", [ParticipantFactory, FacilitatorFactory, ManagerFactory])
def test_only_the_service_lead_edits_the_crisis_contacts(client, factory) -> None:
    client.force_login(factory())
    assert client.get(reverse("facilitation:crisis_contacts")).status_code == 403
    contact = CrisisContact.objects.first()
    client.post(reverse("facilitation:crisis_contact_remove", args=[contact.pk]))
    assert CrisisContact.objects.filter(pk=contact.pk).exists()


def test_with_nothing_configured_the_built_in_list_is_shown_rather_than_no_one() -> None:
    CrisisContact.objects.all().delete()
    assert [c.number for c in crisis_contacts_for(region="GB-ENG")] == ["116 123", "111", "999"]
    assert [c.number for c in crisis_contacts_for(region="CA-ON")][:1] == ["988"]
