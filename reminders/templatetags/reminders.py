from __future__ import annotations

from django import template

from reminders.selectors import notifications_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """The signed-in person's unread notifications: one COUNT query, only where the header is drawn."""
    override = context.get("bell_unread_override")
    if override is not None:
        return override
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return notifications_unread_count(user)
