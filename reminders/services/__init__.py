"""Reminder services: write reminder rows in the same transaction as their subject, and send them once.

Other apps call ``reminder_schedule``, ``reminders_move``, ``reminders_cancel`` and
``notify_now`` (``scheduling``). The dispatcher (``reminders.tasks``) calls
``reminders_claim_due`` (``dispatch``) and ``reminders_send_batch`` (``sending``); what
each attempt means for a row, and the service lead's ``reminders_retry``, are in
``outcomes``; a person's choices of emails in ``preferences``.
"""

from reminders.services.dispatch import (
    LeaseKeeper,
    claimable,
    lease,
    reminders_claim_due,
    reminders_lease_renew,
    reminders_release,
)
from reminders.services.outcomes import (
    CONNECTION_ERRORS,
    Refusal,
    SentMarks,
    backoff,
    jittered,
    quiet_hours_end,
    refusal_of,
    reminder_fail,
    reminder_mark_sent,
    reminder_refused,
    reminders_retry,
    reminders_retry_later,
)
from reminders.services.preferences import (
    notifications_mark_read,
    reminder_preference_set,
    reminder_preferences_save,
)
from reminders.services.scheduling import (
    notify_now,
    reminder_schedule,
    reminders_cancel,
    reminders_dispatch_soon,
    reminders_for,
    reminders_move,
    subject_key,
)
from reminders.services.sending import SendBudget, reminders_send_batch, send_over

__all__ = [
    "CONNECTION_ERRORS",
    "LeaseKeeper",
    "Refusal",
    "SendBudget",
    "SentMarks",
    "backoff",
    "claimable",
    "jittered",
    "lease",
    "notifications_mark_read",
    "notify_now",
    "quiet_hours_end",
    "refusal_of",
    "reminder_fail",
    "reminder_mark_sent",
    "reminder_preference_set",
    "reminder_preferences_save",
    "reminder_refused",
    "reminder_schedule",
    "reminders_cancel",
    "reminders_claim_due",
    "reminders_dispatch_soon",
    "reminders_for",
    "reminders_lease_renew",
    "reminders_move",
    "reminders_release",
    "reminders_retry",
    "reminders_retry_later",
    "reminders_send_batch",
    "send_over",
    "subject_key",
]
