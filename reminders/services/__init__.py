"""Reminder services: write reminder rows in the same transaction as their subject, and send them once.

Other apps call ``reminder_schedule``, ``reminders_move``, ``reminders_cancel`` and
``notify_now`` (``scheduling``). The dispatcher (``reminders.tasks``) calls
``reminders_claim_due`` (``dispatch``) and ``reminders_send_batch`` (``sending``); what
each attempt means for a row, and the service lead's ``reminders_retry``, are in
``outcomes``; a person's choices of emails in ``preferences``.
"""
