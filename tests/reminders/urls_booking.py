"""A stand-in "booking" page for the drill where Redis is down during a web request."""

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path

from accounts.models import User
from reminders.services.scheduling import notify_now


def book(request: HttpRequest, user_id: int) -> HttpResponse:
    person = User.objects.get(pk=user_id)
    with transaction.atomic():
        notify_now(kind="test_urgent", recipient=person, subject=person, context={"title": "Booked"})
    return HttpResponse("booked", status=201)


urlpatterns = [path("book/<int:user_id>/", book)]
