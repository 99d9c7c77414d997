"""Celery for Steady, configured from Django settings (the CELERY_ namespace).

The beat schedule lives here and only here. Reminders and tracking are rows
in the database; the beat only wakes the jobs that look for due rows, so no
task is ever scheduled further ahead than a few minutes.
"""

import os
import sys

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("steady")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Seconds between reminder dispatches: 60 in every deployment; the reliability drills set it lower.
REMINDER_DISPATCH_SECONDS = float(os.environ.get("STEADY_REMINDER_DISPATCH_SECONDS", "60"))

app.conf.beat_schedule = {
    # Every five minutes: write a heartbeat row so the service lead can see the worker is alive.
    "core-heartbeat": {"task": "core.tasks.heartbeat", "schedule": 300.0},
    # Every 5 minutes: walk every escalation ladder (core.escalation). Protected time: manager reminder after
    # 2 working days, escalation after 5, first-session alert at 72 h. Help requests: the cohort's facilitators
    # at the response deadline (2 working days), the service lead one working day later.
    "escalation-ladders-walk": {"task": "core.tasks.escalation_ladders_walk", "schedule": 300.0},
    # --- Protected time ---
    # Mondays at 08:00 (Europe/London): one digest to each line manager with requests waiting.
    "protected-time-weekly-digest": {
        "task": "facilitation.tasks.protected_time_weekly_digest",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
    # Every hour at 05 past: complete running cohorts whose weekly sessions are all behind them.
    "cohorts-complete-ended": {"task": "sessions.tasks.cohorts_complete_ended", "schedule": crontab(minute=5)},
    # Every hour at 10 past: tell the waitlists of groups now closed to newcomers (once each).
    "waitlists-tell-closed": {"task": "sessions.tasks.waitlists_tell_closed", "schedule": crontab(minute=10)},
    # --- Data rights ---
    # Sundays at 03:30 (Europe/London), when nobody is running a group: delete clinical notes and
    # answers of cohorts that ended more than STEADY_CLINICAL_RETENTION_MONTHS ago (manage.py purge_expired).
    "purge-expired": {
        "task": "core.tasks.purge_expired",
        "schedule": crontab(minute=30, hour=3, day_of_week="sun"),
    },
    # --- Questionnaires ---
    # Every hour at 20 past: remind participants once when a time point's questionnaires open.
    "measures-questionnaire-reminders": {
        "task": "measures.tasks.questionnaire_reminders",
        "schedule": crontab(minute=20),
    },
    # Every minute, and once as the beat starts (dispatch_at_start): claim due reminders (and ones
    # whose sender died or whose task a lost broker took) and queue them for sending.
    # A run that waits in a dead broker is dropped after the interval: the next one does its work.
    "reminders-dispatch": {
        "task": "reminders.tasks.reminders_dispatch",
        "schedule": REMINDER_DISPATCH_SECONDS,
        "options": {"expires": REMINDER_DISPATCH_SECONDS},
    },
}


@signals.worker_ready.connect
def record_worker_ready(**_kwargs: object) -> None:
    """Check in as soon as a worker is ready, so the service lead sees it at once."""
    from core.services import heartbeat_record

    heartbeat_record(name="worker")


@signals.beat_init.connect
def dispatch_at_start(**_kwargs: object) -> None:
    """Dispatch reminders as the beat starts: its first scheduled run comes only after one interval."""
    try:
        app.send_task("reminders.tasks.reminders_dispatch", expires=REMINDER_DISPATCH_SECONDS, retry=False)
    except Exception:  # the broker is down: the first scheduled run will try again
        print("steady: could not dispatch reminders at start; the first scheduled run will.", file=sys.stderr)


@signals.worker_init.connect
@signals.beat_init.connect
def refuse_unreachable_redis(**_kwargs: object) -> None:
    """Stop with one clear line when REDIS_URL is set but Redis does not answer."""
    from django.conf import settings

    from config.env_checks import redis_unreachable_reason

    if settings.REDIS_URL and (reason := redis_unreachable_reason(settings.REDIS_URL)):
        print(f"steady: {reason}", file=sys.stderr)
        os._exit(2)
