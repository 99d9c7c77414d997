from django.urls import path

from facilitation import views

app_name = "facilitation"
urlpatterns = [
    path("me/", views.participant_home, name="participant_home"),
    path("me/places/<int:pk>/information/", views.enrolment_pack, name="enrolment_pack"),
    path("me/places/<int:pk>/withdraw/", views.enrolment_leave, name="enrolment_leave"),
    path("me/places/<int:pk>/hour-reminder/", views.enrolment_hour_reminder, name="enrolment_hour_reminder"),
    path("me/sessions/<int:pk>/apologies/", views.apologies_send, name="apologies_send"),
    path("me/materials/<int:pk>/", views.material_detail, name="material_detail"),
    path("me/materials/<int:pk>/file/", views.material_file, name="material_file"),
    path("me/calendar/new-address/", views.calendar_feed_rotate, name="calendar_feed_rotate"),
    path("calendar/<secret:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("group-sessions/<int:pk>/session.ics", views.session_ics, name="session_ics"),
    path("invitation/<secret:token>/", views.invitation_accept, name="invitation_accept"),
    path("facilitating/", views.facilitator_home, name="facilitator_home"),
    path("facilitating/cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("facilitating/cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path("facilitating/cohorts/<int:pk>/status/", views.cohort_status, name="cohort_status"),
    path("facilitating/cohorts/<int:pk>/invite/", views.cohort_invite, name="cohort_invite"),
    path("facilitating/places/<int:pk>/withdraw/", views.enrolment_withdraw, name="enrolment_withdraw"),
    path("facilitating/places/<int:pk>/<str:action>/", views.enrolment_action, name="enrolment_action"),
    path("facilitating/sessions/<int:pk>/", views.session_run, name="session_run"),
    path(
        "facilitating/sessions/<int:pk>/attendance/<int:participant_id>/",
        views.attendance_mark,
        name="attendance_mark",
    ),
    path("facilitating/sessions/<int:pk>/notes/", views.session_notes, name="session_notes"),
    path("facilitating/sessions/<int:pk>/held/", views.session_hold, name="session_hold"),
    path("facilitating/sessions/<int:pk>/move/", views.session_reschedule, name="session_reschedule"),
    path("facilitating/sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("team/", views.manager_home, name="manager_home"),
    path("service/", views.lead_home, name="lead_home"),
]

# --- Protected time ---------------------------------------------------------
urlpatterns += [
    path("team/protected-time/", views.protected_time_inbox, name="protected_time_inbox"),
    path("team/protected-time/<int:pk>/", views.protected_time_decide, name="protected_time_decide"),
    path("team/protected-time/<int:pk>/comment/", views.protected_time_comment, name="protected_time_comment"),
    path("team/protected-time/approve-several/", views.protected_time_bulk_approve, name="protected_time_bulk_approve"),
    path("team/protected-time/history/", views.protected_time_history, name="protected_time_history"),
    path("team/protected-time/approved.ics", views.protected_time_calendar, name="protected_time_calendar"),
    path("team/deputies/", views.protected_time_delegations, name="protected_time_delegations"),
    path("team/deputies/<int:pk>/end/", views.protected_time_delegation_end, name="protected_time_delegation_end"),
    path("me/protected-time/<int:pk>/", views.protected_time_participant, name="protected_time_participant"),
    path(
        "me/protected-time/<int:pk>/send/",
        views.protected_time_participant_submit,
        name="protected_time_participant_submit",
    ),
    path(
        "me/protected-time/<int:pk>/withdraw/",
        views.protected_time_participant_withdraw,
        name="protected_time_participant_withdraw",
    ),
    path("facilitating/cohorts/<int:pk>/protected-time/", views.protected_time_matrix, name="protected_time_matrix"),
    path(
        "facilitating/protected-time/<int:pk>/send/",
        views.protected_time_facilitator_submit,
        name="protected_time_facilitator_submit",
    ),
    path(
        "facilitating/protected-time/<int:pk>/record-external/",
        views.protected_time_record_external,
        name="protected_time_record_external",
    ),
]
