from django.urls import path

from sessions import views

app_name = "sessions"
urlpatterns = [
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
]
