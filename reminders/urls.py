from django.urls import path

from reminders import views

app_name = "reminders"
urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notifications/", views.notifications, name="notifications"),
    path("operations/", views.operations, name="operations"),
    path("operations/retry/", views.operations_retry, name="operations_retry"),
]
