"""The register pages over HTTP, as each role; the import page for the service lead."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures.definitions import DATA_DIR, parse_definition
from measures.models import Item, Measure
from measures.services import measure_load

pytestmark = pytest.mark.measures


def login(client, user):
    client.force_login(user)
    return client


def pages(measures) -> list[str]:
    return [
        reverse("measures:measure_list"),
        reverse("measures:measure_detail", args=[measures["phq-9"].pk]),
        reverse("measures:measure_import", args=[measures["swemwbs"].pk]),
    ]


@pytest.mark.parametrize("role", ["manager", "participant"])
def test_managers_and_participants_get_403_on_every_measure_page(client, measures, role, request):
    login(client, request.getfixturevalue(role))
    for url in pages(measures):
        assert client.get(url).status_code == 403, url


def test_a_signed_out_visitor_is_sent_to_sign_in(client, measures):
    for url in pages(measures):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_a_facilitator_reads_the_register_but_cannot_import(client, measures, facilitator):
    login(client, facilitator)
    listing = client.get(reverse("measures:measure_list"))
    assert listing.status_code == 200
    assert "Professional Quality of Life Scale, version 5 (ProQOL 5)" in listing.content.decode()
    detail = client.get(reverse("measures:measure_detail", args=[measures["phq-9"].pk])).content.decode()
    assert "Thoughts that you would be better off dead or of hurting yourself in some way" in detail
    assert "risk item" in detail
    assert client.get(reverse("measures:measure_import", args=[measures["swemwbs"].pk])).status_code == 403


def test_a_licensed_measure_page_shows_no_wording_until_imported(client, measures, service_lead):
    login(client, service_lead)
    page = client.get(reverse("measures:measure_detail", args=[measures["fscrs"].pk])).content.decode()
    assert page.count("(wording not imported)") == 22
    assert reverse("measures:measure_import", args=[measures["fscrs"].pk]) in page


def test_a_service_lead_imports_a_licensed_measures_wording(client, measures, service_lead):
    login(client, service_lead)
    rows = "number,text\n" + "".join(f"{n},Licensed statement {n}\n" for n in range(1, 8))
    response = client.post(
        reverse("measures:measure_import", args=[measures["swemwbs"].pk]),
        {"file": SimpleUploadedFile("swemwbs.csv", rows.encode(), content_type="text/csv")},
    )
    assert response.status_code == 302
    assert Item.objects.get(measure=measures["swemwbs"], number=7).text == "Licensed statement 7"


def test_a_wrong_file_shows_the_reason_and_imports_nothing(client, measures, service_lead):
    login(client, service_lead)
    rows = "number,text\n" + "".join(f"{n},Licensed statement {n}\n" for n in range(1, 7))
    response = client.post(
        reverse("measures:measure_import", args=[measures["swemwbs"].pk]),
        {"file": SimpleUploadedFile("swemwbs.csv", rows.encode(), content_type="text/csv")},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "SWEMWBS has 7 items, numbered 1 to 7; the file has 6" in body
    assert "Nothing was imported." in body
    assert not Item.objects.filter(measure=measures["swemwbs"]).exclude(text="").exists()
    assert Measure.objects.get(pk=measures["swemwbs"].pk).wording_imported_at is None


def test_a_measure_that_ships_its_wording_has_no_import_page(client, measures, service_lead):
    login(client, service_lead)
    assert client.get(reverse("measures:measure_import", args=[measures["gad-7"].pk])).status_code == 404


def add_versions(count: int) -> None:
    text = (DATA_DIR / "gad-7.yaml").read_text()
    for version in range(2, count + 2):
        measure_load(definition=parse_definition(text.replace("\nversion: 1\n", f"\nversion: {version}\n", 1)))


@pytest.mark.parametrize("extra", [0, 10])
def test_the_register_runs_a_constant_number_of_queries(
    client, measures, facilitator, django_assert_num_queries, extra
):
    add_versions(extra)
    login(client, facilitator)
    client.get(reverse("measures:measure_list"))  # warm the session
    with django_assert_num_queries(4):  # the bell's count is cached by the warming request
        response = client.get(reverse("measures:measure_list"))
    assert response.content.decode().count("<tr>") == 1 + len(measures) + extra


@pytest.mark.parametrize("code", ["phq-9", "proqol-5"])
def test_a_measure_page_runs_a_constant_number_of_queries(
    client, measures, facilitator, django_assert_num_queries, code
):
    login(client, facilitator)
    url = reverse("measures:measure_detail", args=[measures[code].pk])
    client.get(url)
    with django_assert_num_queries(7):  # the bell's count is cached by the warming request
        assert client.get(url).status_code == 200
