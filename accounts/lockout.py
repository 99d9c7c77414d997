"""How django-axes names the person behind a failed sign-in (settings.AXES_USERNAME_CALLABLE)."""

from __future__ import annotations

from django.http import HttpRequest


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """Return the email address typed into the sign-in form, as the account stores it (lower case).

    The form's field is ``username`` (Django's AuthenticationForm) although the user model's
    login field is ``email``; reading the wrong one stored failures without a name, so the
    lockout held per address only and the right password still signed in.
    """
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username") if request is not None else None
    return value.strip().lower() if isinstance(value, str) and value.strip() else None
