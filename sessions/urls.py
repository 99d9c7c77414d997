"""Sessions' addresses. Included at the site root: the paths are the ones people have bookmarked."""

from django.urls import path

from sessions.views import calendar_feeds, checkins, cohorts, group_sessions, places

app_name = "sessions"
urlpatterns = [
    path("sessions/cohorts/new/", cohorts.cohort_create, name="cohort_create"),
    # --- Check-ins ---
    path("sessions/checkins/", checkins.checkin_list, name="checkin_list"),
    path("sessions/checkins/book/", checkins.checkin_book, name="checkin_book"),
    path("sessions/checkins/facilitating/", checkins.checkin_list_facilitator, name="checkin_list_facilitator"),
    path("sessions/checkins/book/for/<int:participant_pk>/", checkins.checkin_book_for, name="checkin_book_for"),
    path("sessions/checkins/availability/", checkins.availability, name="availability"),
    path("sessions/checkins/availability/<str:kind>/add/", checkins.availability_add, name="availability_add"),
    path(
        "sessions/checkins/availability/<str:kind>/<int:pk>/remove/",
        checkins.availability_remove,
        name="availability_remove",
    ),
    path("sessions/checkins/talk/", checkins.help_request_create, name="help_request_create"),
    path("sessions/checkins/talk/<int:pk>/", checkins.help_request_detail, name="help_request_detail"),
    path("sessions/checkins/talk/<int:pk>/handled/", checkins.help_request_handle, name="help_request_handle"),
    path("sessions/checkins/<int:pk>/", checkins.checkin_detail, name="checkin_detail"),
    path("me/checkin-offers/<int:pk>/", checkins.checkin_offer, name="checkin_offer"),
    path("sessions/checkins/<int:pk>/cancel/", checkins.checkin_cancel, name="checkin_cancel"),
    path("sessions/checkins/<int:pk>/place/", checkins.checkin_place, name="checkin_place"),
    path("sessions/checkins/<int:pk>/calendar.ics", checkins.checkin_ics, name="checkin_ics"),
    # --- Places (the participant's side) ---
    path("me/places/<int:pk>/information/", places.enrolment_pack, name="enrolment_pack"),
    path("me/places/<int:pk>/withdraw/", places.enrolment_leave, name="enrolment_leave"),
    path("me/places/<int:pk>/not-for-me/", places.enrolment_not_for_me, name="enrolment_not_for_me"),
    path("me/places/<int:pk>/hour-reminder/", places.enrolment_hour_reminder, name="enrolment_hour_reminder"),
    path("me/sessions/<int:pk>/apologies/", group_sessions.apologies_send, name="apologies_send"),
    path("me/sessions/<int:pk>/apologies/withdraw/", group_sessions.apologies_withdraw, name="apologies_withdraw"),
    path("me/materials/<int:pk>/", places.material_detail, name="material_detail"),
    path("me/materials/<int:pk>/file/", places.material_file, name="material_file"),
    path("invitation/<secret:token>/", places.invitation_accept, name="invitation_accept"),
    path("invitation/<secret:token>/not-for-me/", places.invitation_not_for_me, name="invitation_not_for_me"),
    # --- Calendars ---
    path("me/calendar/new-address/", calendar_feeds.calendar_feed_rotate, name="calendar_feed_rotate"),
    path("calendar/<secret:token>.ics", calendar_feeds.calendar_feed, name="calendar_feed"),
    path("group-sessions/<int:pk>/session.ics", calendar_feeds.session_ics, name="session_ics"),
    # --- Cohorts and sessions (the facilitator's side) ---
    path("facilitating/cohorts/<int:pk>/", cohorts.cohort_detail, name="cohort_detail"),
    path("service/cohorts/<int:pk>/", cohorts.cohort_overview, name="cohort_overview"),
    path("facilitating/cohorts/<int:pk>/edit/", cohorts.cohort_edit, name="cohort_edit"),
    path("facilitating/cohorts/<int:pk>/status/", cohorts.cohort_status, name="cohort_status"),
    path("facilitating/cohorts/<int:pk>/invite/", cohorts.cohort_invite, name="cohort_invite"),
    path("facilitating/places/<int:pk>/withdraw/", places.enrolment_withdraw, name="enrolment_withdraw"),
    path("facilitating/places/<int:pk>/<str:action>/", places.enrolment_action, name="enrolment_action"),
    path("facilitating/sessions/<int:pk>/", group_sessions.session_run, name="session_run"),
    path(
        "facilitating/sessions/<int:pk>/attendance/<int:participant_id>/",
        group_sessions.attendance_mark,
        name="attendance_mark",
    ),
    path("facilitating/sessions/<int:pk>/notes/", group_sessions.session_notes, name="session_notes"),
    path(
        "facilitating/sessions/<int:pk>/offer-checkins/",
        group_sessions.checkin_offers_make,
        name="checkin_offers_make",
    ),
    path("facilitating/sessions/<int:pk>/held/", group_sessions.session_hold, name="session_hold"),
    path("facilitating/sessions/<int:pk>/move/", group_sessions.session_reschedule, name="session_reschedule"),
    path("facilitating/sessions/<int:pk>/cancel/", group_sessions.session_cancel, name="session_cancel"),
]
