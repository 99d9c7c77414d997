from __future__ import annotations

from accounts.models import User
from core.links import role_home_url_name


def home_url_name_for(user: User) -> str:
    """Return the URL name of the home page a user lands on after signing in."""
    roles = user.roles
    return role_home_url_name(roles[0]) if roles else "accounts:no_role"
