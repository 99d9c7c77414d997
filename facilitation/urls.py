from django.urls import path

from facilitation import views

app_name = "facilitation"
urlpatterns = [
    path("me/", views.participant_home, name="participant_home"),
    path("facilitating/", views.facilitator_home, name="facilitator_home"),
    path("team/", views.manager_home, name="manager_home"),
    path("service/", views.lead_home, name="lead_home"),
]
