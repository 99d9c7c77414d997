from django.urls import path  # noqa: F401

app_name = "sessions"
urlpatterns: list = []

# --- Check-ins ---
from django.urls import path as checkin_path  # noqa: E402, RUF100

from sessions import views as checkin_views  # noqa: E402, RUF100

urlpatterns += [
    checkin_path("checkins/", checkin_views.checkin_list, name="checkin_list"),
    checkin_path("checkins/book/", checkin_views.checkin_book, name="checkin_book"),
    checkin_path("checkins/book/for/<int:participant_pk>/", checkin_views.checkin_book_for, name="checkin_book_for"),
    checkin_path("checkins/availability/", checkin_views.availability, name="availability"),
    checkin_path("checkins/availability/<str:kind>/add/", checkin_views.availability_add, name="availability_add"),
    checkin_path(
        "checkins/availability/<str:kind>/<int:pk>/remove/",
        checkin_views.availability_remove,
        name="availability_remove",
    ),
    checkin_path("checkins/talk/", checkin_views.help_request_create, name="help_request_create"),
    checkin_path("checkins/talk/<int:pk>/handled/", checkin_views.help_request_handle, name="help_request_handle"),
    checkin_path("checkins/<int:pk>/", checkin_views.checkin_detail, name="checkin_detail"),
    checkin_path("checkins/<int:pk>/cancel/", checkin_views.checkin_cancel, name="checkin_cancel"),
]
