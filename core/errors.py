"""Domain errors: a service raises one, a view shows its message and changes nothing."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the action; ``message`` is safe to show the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(DomainError):
    """The action is not allowed in the object's current state."""


class Conflict(DomainError):
    """Someone else changed the object first (a race that the database settled)."""
