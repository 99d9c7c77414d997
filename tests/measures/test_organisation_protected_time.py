"""The organisation report page (facilitation): protected-time figures on a worked example, working days
that skip a bank holiday, suppression below 5 people in the page and the CSV, who may see it, the old
address, the lead home's link, and a constant number of queries for 2 and 20 cohorts."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from facilitation.models import ProtectedTimeLine, ProtectedTimeRequest
from facilitation.organisation_report_cache import organisation_report_forget
from facilitation.selectors.protected_time_tracking import working_days_between
from tests.facilitation.factories_protected_time import drafted, small_cohort
from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory

pytestmark = [pytest.mark.measures, pytest.mark.django_db]

PT = ProtectedTimeRequest
UTC = datetime.UTC
# Friday 22 August 2025; Monday 25 August 2025 is the summer bank holiday in England.
FRIDAY = datetime.datetime(2025, 8, 22, 10, 0, tzinfo=UTC)


def day(d: int, hour: int = 15) -> datetime.datetime:
    return datetime.datetime(2025, 8, d, hour, 0, tzinfo=UTC)


def person(team: str = "Ward 7", directorate: str = "Surgery"):
    return ParticipantFactory(team=team, directorate=directorate)


def decided(cohort, *, decisions: list[str], decided_at, team="Ward 7", directorate="Surgery", minutes=90):
    """A request sent on FRIDAY whose lines got ``decisions`` (one per line, in order) at ``decided_at``."""
    request = drafted(cohort, person(team, directorate))
    lines = list(request.lines.order_by("starts_at"))
    assert len(lines) == len(decisions)
    for line, decision in zip(lines, decisions, strict=True):
        line.decision, line.minutes, line.decided_at = decision, minutes, decided_at
        line.save(update_fields=["decision", "minutes", "decided_at"])
    if all(d == "approved" for d in decisions):
        status = PT.Status.APPROVED
    elif all(d == "declined" for d in decisions):
        status = PT.Status.DECLINED
    else:
        status = PT.Status.PARTLY_APPROVED
    PT.objects.filter(pk=request.pk).update(status=status, submitted_at=FRIDAY, decided_at=decided_at)
    return request


def waiting(cohort, *, team="Ward 7"):
    request = drafted(cohort, person(team))
    PT.objects.filter(pk=request.pk).update(status=PT.Status.SUBMITTED, submitted_at=FRIDAY)
    return request


def worked_example():
    """Seven people asking in one group of four sessions of 90 minutes each:

    - four approved in full on Tuesday 26th (1 working day: Monday is a bank holiday),
    - one declined on Wednesday 27th (2 working days), in Ward 9,
    - one partly approved (2 of 4 sessions) on Friday 29th (4 working days),
    - one still waiting; plus one draft, never sent, which does not count.
    """
    cohort = small_cohort(weeks=4)
    for _ in range(4):
        decided(cohort, decisions=["approved"] * 4, decided_at=day(26))
    decided(cohort, decisions=["declined"] * 4, decided_at=day(27), team="Ward 9")
    decided(cohort, decisions=["approved", "approved", "declined", "declined"], decided_at=day(29))
    waiting(cohort)
    drafted(cohort, person())
    return cohort


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def pt_rows(rows) -> dict[tuple[str, str], list[str]]:
    start = next(i for i, row in enumerate(rows) if row and row[0] == "protected_time_section")
    return {(row[0], row[1]): row[2:] for row in rows[start + 1 :] if row}


def test_working_days_skip_weekends_and_the_regions_bank_holidays() -> None:
    def days(end, region="GB-ENG"):
        return working_days_between(start=FRIDAY, end=end, region=region, time_zone="Europe/London")

    assert days(day(22)) == 0  # the same day
    assert days(day(26)) == 1  # Saturday, Sunday and the bank holiday Monday are not counted
    assert days(day(26), region="") == 2  # with no bank holidays, Monday counts
    assert days(day(29)) == 4


def test_protected_time_figures_on_a_worked_example(client, service_lead) -> None:
    cohort = worked_example()
    client.force_login(service_lead)
    rows = pt_rows(rows_of(client.get(reverse("facilitation:organisation_report_csv"))))
    # asked, approved in full, median days, mean days, hours approved, hours declined
    # 7 asked; 4 of 6 decided approved in full; days 1,1,1,1,2,4; approved 16 x 1.5 + 2 x 1.5 = 27 h;
    # declined 4 x 1.5 + 2 x 1.5 = 9 h.
    assert rows[("cohort", cohort.name)] == ["7", "67%", "1", "1.7", "27", "9"]
    assert rows[("directorate", "Surgery")] == ["7", "67%", "1", "1.7", "27", "9"]
    # Ward 7: 6 asking, 5 decided (days 1,1,1,1,4), approved 4 x 6 h + 3 h, declined 3 h.
    assert rows[("team", "Ward 7")] == ["6", "80%", "1", "1.6", "27", "3"]
    # Ward 9 is one person: every cell suppressed.
    assert rows[("team", "Ward 9")] == ["fewer than 5"] * 6


def test_protected_time_cells_below_five_people_are_suppressed_in_the_page_and_the_csv(client, service_lead):
    big = worked_example()
    small = small_cohort(weeks=4)
    for _ in range(3):
        decided(small, decisions=["approved"] * 4, decided_at=day(26), team="Ward 7")
    client.force_login(service_lead)
    page = client.get(reverse("facilitation:organisation_report")).content.decode()
    protected = page.split('id="protected-time"', 1)[1]
    small_row = protected.split(f'<th scope="row">{small.name}</th>', 1)[1].split("</tr>", 1)[0]
    assert small_row.count("fewer than 5") == 6
    big_row = protected.split(f'<th scope="row">{big.name}</th>', 1)[1].split("</tr>", 1)[0]
    assert "fewer than 5" not in big_row and "67%" in big_row
    ward9 = protected.split('<th scope="row">Ward 9</th>', 1)[1].split("</tr>", 1)[0]
    assert ward9.count("fewer than 5") == 6
    rows = pt_rows(rows_of(client.get(reverse("facilitation:organisation_report_csv"))))
    assert rows[("cohort", small.name)] == ["fewer than 5"] * 6
    # The worked example alone is 7 people: shown.
    assert rows[("cohort", big.name)][0] == "7"


def test_only_a_service_lead_sees_the_report_everyone_else_gets_403(client, service_lead) -> None:
    worked_example()
    urls = [reverse("facilitation:organisation_report"), reverse("facilitation:organisation_report_csv")]
    for url in urls:
        client.force_login(service_lead)
        assert client.get(url).status_code == 200
        for user in (ManagerFactory(), FacilitatorFactory(), ParticipantFactory()):
            client.force_login(user)
            assert client.get(url).status_code == 403, (user, url)
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to sign in


def test_the_old_address_redirects_and_the_lead_home_links_to_the_report(client, service_lead) -> None:
    client.force_login(service_lead)
    response = client.get("/measures/organisation/?to=mid")
    assert response.status_code == 302
    assert response["Location"] == reverse("facilitation:organisation_report") + "?to=mid"
    home = client.get(reverse("facilitation:lead_home")).content.decode()
    assert f'href="{reverse("facilitation:organisation_report")}"' in home


def test_the_report_page_is_accessible_tables_have_captions_and_scoped_headers(client, service_lead) -> None:
    worked_example()
    client.force_login(service_lead)
    page = client.get(reverse("facilitation:organisation_report")).content.decode()
    assert page.count("<table") == page.count("<caption") >= 6
    assert page.count("<table") == page.count('class="table-responsive"')
    assert '<th scope="col">Hours approved</th>' in page


def test_the_report_runs_constant_queries_for_2_and_20_cohorts(client, service_lead) -> None:
    def add_cohorts(n):
        for i in range(n):
            cohort = small_cohort(weeks=2)
            decided(cohort, decisions=["approved", "declined"], decided_at=day(26), team=f"Ward {i % 3}")
            waiting(cohort)

    def queries(url) -> int:
        organisation_report_forget()  # the page's tables are kept for a few minutes: count working them out
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    add_cohorts(2)
    client.force_login(service_lead)
    urls = [reverse("facilitation:organisation_report"), reverse("facilitation:organisation_report_csv")]
    queries(urls[0])  # the bell's count is cached from the first page on
    small = [queries(url) for url in urls]
    add_cohorts(18)
    assert [queries(url) for url in urls] == small
    # the same at 20 cohorts: measures' report, two for protected time, and the page's own (session, user...)
    assert small == [9, 9]
    assert ProtectedTimeLine.objects.count() == 20 * 4
