from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required, permission_required


def role_required(role: str) -> Callable:
    """Send a signed-out visitor to sign in; show a signed-in person without the role the 403 page."""

    def decorator(view: Callable) -> Callable:
        return login_required(permission_required(f"accounts.act_as_{role}", raise_exception=True)(view))

    return decorator
