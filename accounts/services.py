from __future__ import annotations

from django.db import transaction

from accounts.models import User


@transaction.atomic
def user_ensure(
    *,
    email: str,
    first_name: str,
    last_name: str = "",
    password: str | None = None,
    line_manager: User | None = None,
    **roles_and_details: object,
) -> User:
    """Return the user with ``email``, creating it with these details when missing."""
    user = User.objects.filter(email=email.lower()).first()
    if user is not None:
        return user
    return User.objects.create_user(
        email,
        password,
        first_name=first_name,
        last_name=last_name,
        line_manager=line_manager,
        **roles_and_details,
    )
