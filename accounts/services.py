from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError


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


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    """Turn ``user``'s account off and end every session they have open (``by`` is who did it).

    Django already refuses an inactive person on their next request; ending the sessions as well means
    turning the account back on later does not bring an old, possibly stolen, session back to life.
    """
    if user.pk == by.pk:
        raise DomainError(_("You cannot turn off your own account; ask another service lead."))
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    user_sessions_end(user=user)
    return user


def user_sessions_end(*, user: User) -> int:
    """Delete every stored session signed in as ``user``; return how many ended.

    Sessions live in the database (Django's default engine), and a session names its person only inside
    its encoded data, so each unexpired one is decoded: a few thousand rows at most in a service.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class()
    ended = []
    for session in model.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            ended.append(session.session_key)
    model.objects.filter(session_key__in=ended).delete()
    return len(ended)
