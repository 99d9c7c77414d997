from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def rule_required(perm: str) -> Callable:
    """Send a signed-out visitor to sign in; show anyone the rule refuses the 403 page.

    The rule itself is asked (``rules.has_perm``), not ``user.has_perm``: Django gives a
    superuser every permission, and a superuser who does not hold a role must not pass a role check.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def checked(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not rules.has_perm(perm, request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(checked)

    return decorator


def role_required(*roles: str) -> Callable:
    """Send a signed-out visitor to sign in; show a signed-in person holding none of ``roles`` the 403 page."""
    if len(roles) == 1:
        return rule_required(f"accounts.act_as_{roles[0]}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def checked(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not any(rules.has_perm(f"accounts.act_as_{role}", request.user) for role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(checked)

    return decorator
