"""A risk answer reaches the cohort's facilitators through a real worker, exactly once per response."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_string
from email.header import decode_header, make_header

import pytest

from core.errors import NotAllowed
from measures.models import Item, RiskAlert
from measures.reminder_kinds import RISK_ALERT_KIND
from measures.services import measures_load_builtin, response_answer, response_start, response_submit
from reminders.models import Reminder
from tests.factories import FacilitatorFactory
from tests.measures.builders import scheduled_cohort
from tests.support.worker import wait_for

pytestmark = [pytest.mark.measures, pytest.mark.worker]


def risk_alert_through_worker(celery_processes, tmp_path) -> None:
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    celery_processes(
        "measures-worker",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
    )
    measures = {m.code: m for m, _state in measures_load_builtin()}
    facilitators = [FacilitatorFactory(), FacilitatorFactory()]
    cohort, (person,) = scheduled_cohort(measures, facilitators=facilitators, participants=1)
    response = response_start(
        measure=measures["phq-9"], participant=person, cohort=cohort, time_point="baseline", by=person
    )
    for number, value in enumerate([1, 1, 1, 0, 0, 0, 0, 0, 1], start=1):
        response_answer(
            response=response, item=Item.objects.get(measure=measures["phq-9"], number=number), value=value, by=person
        )
    response_submit(response=response, by=person)
    with pytest.raises(NotAllowed):  # a second submit (another tab) is refused
        response_submit(response=response, by=person)

    wait_for(
        lambda: Reminder.objects.filter(kind=RISK_ALERT_KIND, status="sent").count() == 2,
        timeout=60,
        message="the worker to tell both facilitators",
    )
    messages = [
        message_from_string(part.strip("\n") + "\n")
        for path in mail_dir.iterdir()
        for part in path.read_text().split("-" * 79)
        if part.strip()
    ]
    assert sorted(m["To"] for m in messages) == sorted(f.email for f in facilitators)
    for message in messages:
        assert str(make_header(decode_header(message["Subject"]))) == "Please look at Steady today"
    alert = RiskAlert.objects.get()
    assert all(
        r.sent_at - alert.created_at < timedelta(minutes=1) for r in Reminder.objects.filter(kind=RISK_ALERT_KIND)
    )
    assert RiskAlert.objects.filter(acknowledged_at__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_risk_alert_reaches_facilitators_through_a_real_worker_over_embedded_broker(
    celery_processes, purge_broker, tmp_path, settings
):
    if settings.REDIS_URL:
        pytest.skip("the embedded-broker run is for make test; the services suite runs the Redis one")
    risk_alert_through_worker(celery_processes, tmp_path)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_risk_alert_reaches_facilitators_through_a_real_worker_over_redis(
    require_postgres, require_redis, celery_processes, purge_broker, tmp_path
):
    risk_alert_through_worker(celery_processes, tmp_path)
