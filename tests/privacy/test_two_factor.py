"""Optional two-step sign-in (TOTP): setting it up, signing in with and without a code, and the service
lead's requirement for facilitators and service leads (issue 13, build 12)."""

from __future__ import annotations

import datetime
from datetime import UTC

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import TwoFactorPolicy
from accounts.services import two_factor_device_confirm, two_factor_key_new, two_factor_policy_update
from accounts.two_factor import SETUP_KEY
from core.errors import DomainError, NotAllowed
from core.models import AccessLog
from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory, ServiceLeadFactory

pytestmark = [pytest.mark.privacy, pytest.mark.django_db]

PASSWORD = "a long passphrase 1"
NOW = datetime.datetime(2026, 6, 1, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _long_sessions(settings) -> None:
    """Sessions made at NOW are still open when the test reads them after travelling back to today."""
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 365 * 5


def code_for(key: str, *, at: datetime.datetime = NOW) -> str:
    with time_machine.travel(at, tick=False):
        return f"{totp(bytes.fromhex(key)):06d}"


def enrolled(user, *, at: datetime.datetime = NOW) -> str:
    """Give ``user`` a confirmed authenticator; return its key."""
    key = two_factor_key_new()
    with time_machine.travel(at, tick=False):
        two_factor_device_confirm(user=user, key=key, token=code_for(key, at=at))
    return key


def sign_in(client: Client, user, **extra) -> object:
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD, **extra})


def test_a_person_sets_up_two_step_sign_in_by_scanning_the_code_and_typing_one_back(client: Client) -> None:
    person = ParticipantFactory(password=PASSWORD)
    client.force_login(person)
    url = reverse("accounts:two_factor_setup")
    with time_machine.travel(NOW, tick=False):
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert "<svg" in body and 'class="segno"' in body  # the QR code is drawn in the page
        assert "<img" not in body.split('class="steady-qr"')[1].split("</figure>")[0]
        key = client.session[SETUP_KEY]
        assert page.context["manual_key"] in body
        wrong = client.post(url, {"code": "000000" if code_for(key) != "000000" else "111111"})
        assert wrong.status_code == 400
        assert "That code did not match" in wrong.content.decode()
        assert not TOTPDevice.objects.filter(user=person).exists()
        assert client.post(url, {"code": code_for(key)}).status_code == 302
    device = TOTPDevice.objects.get(user=person)
    assert device.confirmed and device.key == key
    assert SETUP_KEY not in client.session


def test_signing_in_without_an_authenticator_needs_only_the_password(client: Client) -> None:
    person = ParticipantFactory(password=PASSWORD)
    response = sign_in(client, person)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(person.pk)


def test_signing_in_with_an_authenticator_asks_for_the_code(client: Client) -> None:
    person = FacilitatorFactory(password=PASSWORD)
    key = enrolled(person)
    later = NOW + datetime.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        response = sign_in(client, person, next="/facilitating/")
        assert response["Location"] == reverse("login_code")
        assert "_auth_user_id" not in client.session  # not signed in on the password alone
        assert client.get(reverse("facilitation:facilitator_home")).status_code == 302
        wrong = client.post(reverse("login_code"), {"code": "12345x"})
        assert wrong.status_code == 400
        assert "_auth_user_id" not in client.session
        right = client.post(reverse("login_code"), {"code": code_for(key, at=later)})
    assert right.status_code == 302
    assert right["Location"] == "/facilitating/"
    assert client.session["_auth_user_id"] == str(person.pk)
    assert client.get(reverse("facilitation:facilitator_home")).status_code == 200


def test_a_wrong_or_reused_code_does_not_sign_in(client: Client) -> None:
    person = ParticipantFactory(password=PASSWORD)
    key = enrolled(person)
    with time_machine.travel(NOW, tick=False):  # the code used to set up cannot be used again
        sign_in(client, person)
        response = client.post(reverse("login_code"), {"code": code_for(key)})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client: Client) -> None:
    response = client.post(reverse("login_code"), {"code": "123456"})
    assert response.status_code == 302
    assert response["Location"] == reverse("login")


def test_the_code_step_expires_after_five_minutes(client: Client) -> None:
    person = ParticipantFactory(password=PASSWORD)
    key = enrolled(person)
    start = NOW + datetime.timedelta(minutes=2)
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, person)
        clock.shift(datetime.timedelta(minutes=6))
        late = client.post(reverse("login_code"), {"code": code_for(key, at=start + datetime.timedelta(minutes=6))})
    assert late["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_when_required_a_facilitator_without_an_authenticator_must_set_one_up_first(client: Client) -> None:
    lead = ServiceLeadFactory()
    facilitator = FacilitatorFactory(password=PASSWORD)
    manager = ManagerFactory(password=PASSWORD)
    two_factor_policy_update(by=lead, required_for_facilitators=True, required_for_service_leads=False)
    response = sign_in(client, facilitator)
    assert response["Location"] == reverse("accounts:two_factor_setup")
    # Every other page leads back to the setup page until it is done.
    home = client.get(reverse("facilitation:facilitator_home"))
    assert home.status_code == 302 and home["Location"] == reverse("accounts:two_factor_setup")
    with time_machine.travel(NOW, tick=False):
        assert client.get(reverse("accounts:two_factor_setup")).status_code == 200
        key = client.session[SETUP_KEY]
        client.post(reverse("accounts:two_factor_setup"), {"code": code_for(key)})
    assert client.get(reverse("facilitation:facilitator_home")).status_code == 200
    # The requirement is for facilitators and service leads: a line manager signs in as before.
    other = Client()
    assert sign_in(other, manager)["Location"] == reverse("home")
    assert other.get(reverse("facilitation:manager_home")).status_code == 200


def test_requiring_it_signs_out_the_people_it_binds_who_have_not_set_it_up() -> None:
    lead = ServiceLeadFactory()
    facilitator, enrolled_facilitator, participant = FacilitatorFactory(), FacilitatorFactory(), ParticipantFactory()
    enrolled(enrolled_facilitator)
    clients = {}
    for person in (facilitator, enrolled_facilitator, participant):
        clients[person.pk] = Client()
        clients[person.pk].force_login(person)
    two_factor_policy_update(by=lead, required_for_facilitators=True, required_for_service_leads=False)
    assert clients[facilitator.pk].get(reverse("facilitation:facilitator_home")).status_code == 302
    assert clients[enrolled_facilitator.pk].get(reverse("facilitation:facilitator_home")).status_code == 200
    assert clients[participant.pk].get(reverse("facilitation:participant_home")).status_code == 200


def test_a_lead_requires_it_for_service_leads_only_once_they_use_it_themselves() -> None:
    lead = ServiceLeadFactory()
    with pytest.raises(DomainError, match="for your own account first"):
        two_factor_policy_update(by=lead, required_for_facilitators=False, required_for_service_leads=True)
    assert not TwoFactorPolicy.objects.exists()
    enrolled(lead)
    policy = two_factor_policy_update(by=lead, required_for_facilitators=False, required_for_service_leads=True)
    assert policy.required_for_service_leads and policy.updated_by == lead
    with pytest.raises(NotAllowed):
        two_factor_policy_update(
            by=FacilitatorFactory(), required_for_facilitators=False, required_for_service_leads=False
        )


def test_the_policy_page_is_the_service_leads_and_sets_the_requirement(client: Client) -> None:
    url = reverse("accounts:two_factor_policy")
    client.force_login(FacilitatorFactory())
    assert client.get(url).status_code == 403
    client.force_login(ServiceLeadFactory())
    assert client.get(url).status_code == 200
    assert client.post(url, {"required_for_facilitators": "on"}).status_code == 302
    policy = TwoFactorPolicy.objects.get()
    assert policy.required_for_facilitators and not policy.required_for_service_leads


def test_a_required_authenticator_cannot_be_turned_off(client: Client) -> None:
    lead, facilitator = ServiceLeadFactory(), FacilitatorFactory()
    key = enrolled(facilitator)
    two_factor_policy_update(by=lead, required_for_facilitators=True, required_for_service_leads=False)
    client.force_login(facilitator)
    later = NOW + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        response = client.post(reverse("accounts:two_factor_setup"), {"code": code_for(key, at=later)})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=facilitator, confirmed=True).exists()


def test_an_optional_authenticator_can_be_turned_off_with_a_code(client: Client) -> None:
    person = ParticipantFactory()
    key = enrolled(person)
    client.force_login(person)
    later = NOW + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert client.post(reverse("accounts:two_factor_setup"), {"code": code_for(key, at=later)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()


def test_a_change_to_the_policy_joins_the_access_log_and_saving_it_unchanged_does_not() -> None:
    lead = ServiceLeadFactory()
    two_factor_policy_update(by=lead, required_for_facilitators=True, required_for_service_leads=False)
    two_factor_policy_update(by=lead, required_for_facilitators=True, required_for_service_leads=False)
    entries = AccessLog.objects.filter(action="two_factor_policy")
    assert [(e.actor, e.record_type) for e in entries] == [(lead, "accounts.TwoFactorPolicy")]
    assert "facilitators required" in entries[0].detail
