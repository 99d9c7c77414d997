"""Seeing change and evaluation over HTTP as each role: the participant's own scores, the cohort table,
the cohort evaluation and its exports, the organisation report, suppression below 5, constant queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from facilitation.organisation_report_cache import organisation_report_forget
from measures import reports
from measures.charts import Series, line_chart
from measures.models import Item as MeasureItem
from measures.models import RiskAlert
from measures.pseudonym import pseudonym
from measures.urls import urlpatterns
from sessions.models import Attendance, GroupSession
from tests.factories import FacilitatorFactory, ManagerFactory, ParticipantFactory, enrol
from tests.measures.builders import scheduled_cohort, scored

pytestmark = pytest.mark.measures


def fill(cohort, measures, people, *, to="end", start=14):
    """Baseline and ``to`` scores for each person: PHQ-9 falls by 0..6, GAD-7 by 0..4 (varied)."""
    for i, person in enumerate(people):
        scored(person, cohort, measures["phq-9"], "baseline", {"total": start + i % 5})
        scored(person, cohort, measures["phq-9"], to, {"total": start + i % 5 - (i % 7)})
        scored(person, cohort, measures["gad-7"], "baseline", {"total": 10 + i % 3})
        scored(person, cohort, measures["gad-7"], to, {"total": 10 + i % 3 - (i % 5)})
    week1 = GroupSession.objects.get(cohort=cohort, kind="weekly", number=1)
    Attendance.objects.bulk_create(
        Attendance(group_session=week1, participant=p, status="present" if i % 4 else "absent")
        for i, p in enumerate(people)
    )


def add_people(cohort, n):
    return [enrol(cohort).participant for _ in range(n)]


def queries(client, url) -> int:
    client.get(url)  # the bell's count is cached from here on, for every size alike
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# --- The participant's own scores -----------------------------------------------------------------


def test_the_participant_sees_their_own_scores_in_plain_words_with_an_accessible_chart(client, measures, facilitator):
    cohort, (person, other) = scheduled_cohort(measures, facilitators=[facilitator], participants=2)
    scored(person, cohort, measures["phq-9"], "baseline", {"total": 14})
    scored(person, cohort, measures["phq-9"], "mid", {"total": 9})
    scored(other, cohort, measures["phq-9"], "baseline", {"total": 22})
    client.force_login(person)
    page = client.get(reverse("measures:my_scores")).content.decode()
    assert "went from 14 at start to 9 at mid-programme" in page
    assert "Lower scores are better." in page and "That is a change for the better." in page
    assert 'role="img"' in page and "<title>" in page and "<desc>" in page
    assert "<caption>The same scores as a table</caption>" in page
    assert "<td>22</td>" not in page and "<td>14</td>" in page  # their own score only
    client.force_login(ManagerFactory())
    assert client.get(reverse("measures:my_scores")).status_code == 404


# --- The cohort table and trends --------------------------------------------------------------------


def test_cohort_results_for_each_role(client, measures, facilitator, service_lead):
    cohort, people = scheduled_cohort(measures, facilitators=[facilitator], participants=3)
    fill(cohort, measures, people, to="mid")
    url = reverse("measures:cohort_results", args=[cohort.pk])
    client.force_login(facilitator)
    page = client.get(url).content.decode()
    assert all(p.full_name in page for p in people)
    assert page.count('role="img"') == 6  # a trend per person and measure
    for user in (people[0], FacilitatorFactory(), ManagerFactory(), service_lead, ParticipantFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 404, user


def test_cohort_results_run_constant_queries(client, measures, facilitator):
    cohort, people = scheduled_cohort(measures, facilitators=[facilitator], participants=8)
    fill(cohort, measures, people)
    client.force_login(facilitator)
    url = reverse("measures:cohort_results", args=[cohort.pk])
    small = queries(client, url)
    fill(cohort, measures, add_people(cohort, 32))
    assert queries(client, url) == small


# --- The cohort evaluation ---------------------------------------------------------------------------


def test_evaluation_figures(measures, facilitator):
    cohort, people = scheduled_cohort(measures, facilitators=[facilitator], participants=8)
    fill(cohort, measures, people)
    evaluation = reports.cohort_evaluation(cohort=cohort)
    phq = next(c for c in evaluation.changes if c.scale.measure.code == "phq-9" and c.to == "end")
    # baseline 14,15,16,17,18,14,15,16; change 0,-1,-2,-3,-4,-5,-6,0
    assert phq.baseline.n == 8 and phq.baseline.mean == pytest.approx(15.625)
    assert phq.change.n == 8 and phq.change.mean_change == pytest.approx(-2.625)
    assert phq.change.ci_low < phq.change.mean_change < phq.change.ci_high < 0
    assert phq.change.dz == pytest.approx(-2.625 / phq.change.sd_change)
    assert (phq.change.improved, phq.change.same, phq.change.worsened) == (1, 7, 0)
    assert evaluation.sessions[0]["attended"] == 6
    assert [c["n"] for c in evaluation.completion] == [8, 8]


def test_evaluation_pages_for_each_role(client, measures, facilitator, service_lead):
    cohort, people = scheduled_cohort(measures, facilitators=[facilitator], participants=8)
    fill(cohort, measures, people, to="mid")
    urls = [
        reverse("measures:cohort_evaluation", args=[cohort.pk]),
        reverse("measures:cohort_evaluation_csv", args=[cohort.pk]),
        reverse("measures:cohort_research_csv", args=[cohort.pk]),
    ]
    for user in (facilitator, service_lead):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user, url)
    client.force_login(facilitator)
    page = client.get(urls[0]).content.decode()
    assert "Attendance per session" in page and "Cohen" in page and 'role="img"' in page
    assert "-2.62" in page or "-2.63" in page
    for user in (people[0], FacilitatorFactory(), ManagerFactory(), ParticipantFactory()):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)


def test_evaluation_runs_constant_queries_for_8_and_40_participants(client, measures, facilitator):
    cohort, people = scheduled_cohort(measures, facilitators=[facilitator], participants=8)
    fill(cohort, measures, people)
    client.force_login(facilitator)
    urls = [reverse(name, args=[cohort.pk]) for name in ("measures:cohort_evaluation", "measures:cohort_research_csv")]
    small = [queries(client, url) for url in urls]
    fill(cohort, measures, add_people(cohort, 32))
    assert [queries(client, url) for url in urls] == small
    assert small[0] <= 15


def test_the_evaluation_export_suppresses_below_five(client, measures, facilitator):
    cohort, people = scheduled_cohort(measures, facilitators=[facilitator], participants=4)
    fill(cohort, measures, people)
    client.force_login(facilitator)
    rows = rows_of(client.get(reverse("measures:cohort_evaluation_csv", args=[cohort.pk])))
    header, body = rows[0], rows[1:]
    assert body and all(row[header.index("mean_change")] == "fewer than 5" for row in body)
    assert all(row[header.index("baseline_mean")] == "fewer than 5" for row in body)
    research = rows_of(client.get(reverse("measures:cohort_research_csv", args=[cohort.pk])))
    assert research[1:] == [["fewer than 5"]]
    fill(cohort, measures, add_people(cohort, 1))
    body = rows_of(client.get(reverse("measures:cohort_evaluation_csv", args=[cohort.pk])))[1:]
    assert body[0][header.index("baseline_mean")] not in ("", "fewer than 5")


def test_the_research_export_is_pseudonymous_and_stable(client, measures, facilitator, settings):
    settings.STEADY_RESEARCH_ID_KEY = "a research key"
    cohort, people = scheduled_cohort(measures, facilitators=[facilitator], participants=6)
    fill(cohort, measures, people)
    client.force_login(facilitator)
    url = reverse("measures:cohort_research_csv", args=[cohort.pk])
    content = client.get(url).content.decode()
    for person in people:
        assert person.email not in content and person.last_name not in content
    rows = rows_of(client.get(url))
    ids = {row[0] for row in rows[1:]}
    study = f"programme-{cohort.programme_id}"
    assert ids == {pseudonym(p.pk, study=study) for p in people}
    assert rows_of(client.get(url)) == rows  # stable
    assert pseudonym(people[0].pk, study="another study") not in ids
    settings.STEADY_RESEARCH_ID_KEY = "another key"
    assert pseudonym(people[0].pk, study=study) not in ids


# --- The organisation report ----------------------------------------------------------------------------


def teams(people, name, directorate="Medicine"):
    for person in people:
        person.team, person.directorate = name, directorate
        person.save(update_fields=["team", "directorate"])


def test_organisation_report_only_for_service_leads_others_get_403(client, measures, facilitator, service_lead):
    cohort, people = scheduled_cohort(measures, facilitators=[facilitator], participants=6)
    fill(cohort, measures, people)
    for url in (reverse("facilitation:organisation_report"), reverse("facilitation:organisation_report_csv")):
        client.force_login(service_lead)
        assert client.get(url).status_code == 200
        for user in (facilitator, ManagerFactory(), people[0]):
            client.force_login(user)
            assert client.get(url).status_code == 403, (user, url)


def test_organisation_report_suppresses_cells_below_five_in_view_and_export(client, measures, service_lead):
    big, big_people = scheduled_cohort(measures, facilitators=[FacilitatorFactory()], participants=7)
    small, small_people = scheduled_cohort(measures, facilitators=[FacilitatorFactory()], participants=3)
    fill(big, measures, big_people)
    fill(small, measures, small_people)
    teams(big_people[:5] + small_people[:1], "Ward 7", "Surgery")
    teams(big_people[5:] + small_people[1:], "Ward 9", "Surgery")  # 4 people
    client.force_login(service_lead)
    page = client.get(reverse("facilitation:organisation_report")).content.decode()
    ward9 = page.split('<th scope="row">Ward 9</th>', 1)[1].split("</tr>", 1)[0]
    assert ward9.count("fewer than 5") >= 3
    ward7 = page.split('<th scope="row">Ward 7</th>', 1)[1].split("</tr>", 1)[0]
    assert "fewer than 5" not in ward7.split("</td>", 1)[0]  # 6 people: places filled shown
    small_row = page.split(f'<th scope="row">{small.name}</th>', 1)[1].split("</tr>", 1)[0]
    assert small_row.count("fewer than 5") == 3
    rows = rows_of(client.get(reverse("facilitation:organisation_report_csv")))
    rows = rows[: next(i for i, row in enumerate(rows) if row and row[0] == "protected_time_section")]
    by_name = {row[1]: row for row in rows if len(row) > 1}
    assert by_name["Ward 9"][3:6] == ["fewer than 5"] * 3
    assert by_name[small.name][3:6] == ["fewer than 5"] * 3
    assert by_name[big.name][3] == "7"
    assert by_name["Surgery"][3] == "10"
    # The pooled change is over 10 people: shown.
    pooled = [row for row in rows if row and row[0] == "PHQ-9"]
    assert pooled and pooled[0][11] not in ("", "fewer than 5")


def test_organisation_report_runs_constant_queries_for_2_and_20_cohorts(client, measures, service_lead):
    def add_cohorts(n):
        for _ in range(n):
            cohort, people = scheduled_cohort(measures, facilitators=[FacilitatorFactory()], participants=5)
            fill(cohort, measures, people)
            teams(people, "Ward 7")

    def cold(url) -> int:
        organisation_report_forget()  # the page's tables are kept for a few minutes: count working them out
        return queries(client, url)

    add_cohorts(2)
    client.force_login(service_lead)
    urls = [reverse("facilitation:organisation_report"), reverse("facilitation:organisation_report_csv")]
    small = [cold(url) for url in urls]
    add_cohorts(18)
    assert [cold(url) for url in urls] == small
    assert small[0] <= 15


def test_a_manager_gets_404_on_every_measure_page(client, measures, facilitator):

    cohort, (person,) = scheduled_cohort(measures, facilitators=[facilitator], participants=1)
    response = scored(person, cohort, measures["phq-9"], "baseline", {"total": 20})

    alert = RiskAlert.objects.create(
        response=response,
        item=MeasureItem.objects.get(measure=measures["phq-9"], number=9),
        created_at=response.submitted_at,
    )
    args = {
        "pk": None,
        "cohort_id": cohort.pk,
        "scheduled_id": cohort.programme.scheduled_measures.first().pk,
    }
    manager = ManagerFactory(team="Ward 7")
    person.line_manager = manager
    person.save(update_fields=["line_manager"])
    client.force_login(manager)
    checked = 0
    for pattern in urlpatterns:
        name = pattern.name
        keys = list(pattern.pattern.converters)
        if "pk" in keys:
            pk = {
                "measure": measures["swemwbs"].pk,
                "response": response.pk,
                "alert": alert.pk,
                "cohort": cohort.pk,
            }
            kind = (
                "response"
                if "response" in name
                else "alert"
                if "alert" in name
                else "cohort"
                if "cohort" in name
                else "measure"
            )
            kwargs = {"pk": pk[kind]}
            if "item_pk" in keys:
                kwargs["item_pk"] = alert.item_id
        else:
            kwargs = {k: args[k] for k in keys}
        url = reverse(f"measures:{name}", kwargs=kwargs)
        got = client.get(url)
        if got.status_code == 405:  # a form's target: try what the form would send
            got = client.post(url)
        assert got.status_code == 404, url
        checked += 1
    assert checked == len(urlpatterns) == 17  # the organisation report is facilitation's (403)


def test_a_chart_is_an_accessible_image_with_escaped_text():

    svg = line_chart(
        title="Scores <b>",
        desc="From 14 to 9 & better",
        x_labels=["Start", "Mid"],
        series=[Series("PHQ-9", [14, 9])],
        y_min=0,
        y_max=27,
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title>Scores &lt;b&gt;</title>" in svg and "<desc>From 14 to 9 &amp; better</desc>" in svg
    assert svg.count("<circle") == 2 and "<polyline" in svg
