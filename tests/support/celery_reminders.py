"""The Celery app for worker subprocesses in the reminder drills: Steady's app plus the test kinds."""

from config.celery_app import app
from tests.reminders import kinds  # noqa: F401  (registers test_notice, test_essential, test_urgent)

__all__ = ["app"]
