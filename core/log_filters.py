"""Logging filters of Steady's own (config/settings/base.py LOGGING)."""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """Log a refused request (403, 404, a suspicious 400) as one line, without its traceback.

    Django logs a PermissionDenied with the whole stack: every 403 filled the log with a
    traceback that says nothing about a fault. Server errors (5xx) keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
