from django.urls import path

from sessions import views

app_name = "sessions"
urlpatterns = [
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
    # --- Check-ins ---
    path("checkins/", views.checkin_list, name="checkin_list"),
    path("checkins/book/", views.checkin_book, name="checkin_book"),
    path("checkins/book/for/<int:participant_pk>/", views.checkin_book_for, name="checkin_book_for"),
    path("checkins/availability/", views.availability, name="availability"),
    path("checkins/availability/<str:kind>/add/", views.availability_add, name="availability_add"),
    path("checkins/availability/<str:kind>/<int:pk>/remove/", views.availability_remove, name="availability_remove"),
    path("checkins/talk/", views.help_request_create, name="help_request_create"),
    path("checkins/talk/<int:pk>/handled/", views.help_request_handle, name="help_request_handle"),
    path("checkins/<int:pk>/", views.checkin_detail, name="checkin_detail"),
    path("checkins/<int:pk>/cancel/", views.checkin_cancel, name="checkin_cancel"),
]
