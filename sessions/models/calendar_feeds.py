"""A person's secret calendar subscription address."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class CalendarFeed(models.Model):
    """A person's secret calendar subscription address; rotating the token revokes the old address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    # The token is the secret part of the address, shown to its owner so they can copy it again.
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"

    def get_absolute_url(self) -> str:
        return reverse("sessions:calendar_feed", kwargs={"token": self.token})
