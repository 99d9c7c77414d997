"""Tell the person how a service call went: its success message, or the domain error's own words."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest

from core.errors import DomainError


def service_attempt(
    request: HttpRequest, action: Callable[[], object], *, success: str, level: int = messages.WARNING
) -> bool:
    """Call ``action`` (a service call); on success show ``success``, on a ``DomainError`` show its message.

    The message of a refusal goes at ``level`` (a warning unless the caller says otherwise). Returns
    whether the call went through; the service changed nothing when it refused.
    """
    try:
        action()
    except DomainError as error:
        messages.add_message(request, level, error.message)
        return False
    messages.success(request, success)
    return True
