"""A task enqueued by a real HTTP request runs in a real Celery worker subprocess."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.factories import ParticipantFactory
from tests.support.worker import wait_for

pytestmark = [pytest.mark.foundation, pytest.mark.worker]


def post_form(opener: urllib.request.OpenerDirector, url: str, fields: dict[str, str]) -> str:
    page = opener.open(url).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})
    return opener.open(request).read().decode()


def run_password_reset_through_worker(live_server, celery_processes, tmp_path: Path) -> None:
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    celery_processes(
        "web-task-worker",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
    )
    ParticipantFactory(email="amara@hospital.example", first_name="Amara")
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = post_form(opener, f"{live_server.url}/accounts/password/reset/", {"email": "amara@hospital.example"})
    assert "Check your email" in page

    def sent() -> str:
        return "".join(path.read_text() for path in mail_dir.iterdir())

    # The file appears before the worker has finished writing it: wait for a whole message.
    wait_for(lambda: "/accounts/reset/" in sent(), timeout=60, message="the worker to send the reset email")
    assert "To: amara@hospital.example" in sent()


@pytest.mark.django_db(transaction=True)
def test_http_request_task_runs_in_real_worker_over_embedded_broker(
    live_server, celery_processes, purge_broker, tmp_path, settings
) -> None:
    if settings.REDIS_URL:
        pytest.skip("the embedded-broker run is for make test; make test-services runs the Redis one")
    run_password_reset_through_worker(live_server, celery_processes, tmp_path)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_http_request_task_runs_in_real_worker_over_redis(
    require_redis, live_server, celery_processes, purge_broker, tmp_path
) -> None:
    run_password_reset_through_worker(live_server, celery_processes, tmp_path)
