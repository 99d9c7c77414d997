"""After the demo seeds, the running group's evaluation page and the organisation report show change with charts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from core.demo import run_seeders
from measures.models import Response, RiskAlert

pytestmark = pytest.mark.measures


def test_the_demo_running_group_shows_change(client, db):

    ctx = run_seeders()
    cohort = ctx.objects["running_cohort"]
    submitted = Response.objects.filter(cohort=cohort, status="submitted")
    assert submitted.filter(time_point="baseline").values("participant").distinct().count() == 8
    assert submitted.filter(time_point="mid").values("participant").distinct().count() == 7
    alert = RiskAlert.objects.get()
    assert alert.acknowledged_at is not None and alert.action_note
    facilitator = cohort.facilitators.order_by("pk").first()
    client.force_login(facilitator)
    page = client.get(reverse("measures:cohort_evaluation", args=[cohort.pk])).content.decode()
    assert page.count('role="img"') == 3
    assert "Mid-programme" in page
    client.force_login(User.objects.get(email="lead@steady.example"))
    report = client.get(reverse("facilitation:organisation_report")).content.decode()
    assert report.count('role="img"') == 3
    assert "fewer than 5" in report
    run_seeders()
    assert Response.objects.filter(cohort=cohort).count() == submitted.count() + 1  # one draft; nothing doubled
