from __future__ import annotations

from django.http import HttpRequest


def steady(request: HttpRequest) -> dict[str, object]:
    """Give every template the user's roles, for the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": ()}
    return {"roles": user.roles}
