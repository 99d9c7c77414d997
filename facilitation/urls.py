from django.urls import path

from facilitation.views import crisis_contacts, data_rights, homes, organisation_report, protected_time

app_name = "facilitation"
urlpatterns = [
    path("me/", homes.participant_home, name="participant_home"),
    path("facilitating/", homes.facilitator_home, name="facilitator_home"),
    path("team/", homes.manager_home, name="manager_home"),
    path("service/", homes.lead_home, name="lead_home"),
    path("service/crisis-contacts/", crisis_contacts.crisis_contacts, name="crisis_contacts"),
    path("service/crisis-contacts/<int:pk>/", crisis_contacts.crisis_contacts, name="crisis_contact_edit"),
    path(
        "service/crisis-contacts/<int:pk>/remove/",
        crisis_contacts.crisis_contact_remove,
        name="crisis_contact_remove",
    ),
    path("service/report/", organisation_report.organisation_report, name="organisation_report"),
    path("service/report.csv", organisation_report.organisation_report_csv, name="organisation_report_csv"),
]

# --- Protected time ---------------------------------------------------------
urlpatterns += [
    path("team/protected-time/", protected_time.protected_time_inbox, name="protected_time_inbox"),
    path("team/protected-time/<int:pk>/", protected_time.protected_time_decide, name="protected_time_decide"),
    path("team/protected-time/<int:pk>/comment/", protected_time.protected_time_comment, name="protected_time_comment"),
    path(
        "team/protected-time/approve-several/",
        protected_time.protected_time_bulk_approve,
        name="protected_time_bulk_approve",
    ),
    path("team/protected-time/history/", protected_time.protected_time_history, name="protected_time_history"),
    path("team/protected-time/approved.ics", protected_time.protected_time_calendar, name="protected_time_calendar"),
    path("team/deputies/", protected_time.protected_time_delegations, name="protected_time_delegations"),
    path(
        "team/deputies/<int:pk>/end/",
        protected_time.protected_time_delegation_end,
        name="protected_time_delegation_end",
    ),
    path("me/protected-time/<int:pk>/", protected_time.protected_time_participant, name="protected_time_participant"),
    path(
        "team/line-managers/<int:pk>/confirm/",
        protected_time.line_manager_confirm_signed_in,
        name="line_manager_confirm",
    ),
    path(
        "me/protected-time/<int:pk>/send/",
        protected_time.protected_time_participant_submit,
        name="protected_time_participant_submit",
    ),
    path(
        "me/protected-time/<int:pk>/withdraw/",
        protected_time.protected_time_participant_withdraw,
        name="protected_time_participant_withdraw",
    ),
    path(
        "facilitating/cohorts/<int:pk>/protected-time/",
        protected_time.protected_time_matrix,
        name="protected_time_matrix",
    ),
    path(
        "facilitating/protected-time/<int:pk>/send/",
        protected_time.protected_time_facilitator_submit,
        name="protected_time_facilitator_submit",
    ),
    path(
        "facilitating/protected-time/<int:pk>/record-external/",
        protected_time.protected_time_record_external,
        name="protected_time_record_external",
    ),
]

# --- Data rights and the audit trail --------------------------------------------
urlpatterns += [
    path("me/data/", data_rights.my_data, name="my_data"),
    path("me/data.json", data_rights.my_data_json, name="my_data_json"),
    path("service/audit/", data_rights.audit_log, name="audit_log"),
    path("service/erase/", data_rights.person_erase_page, name="person_erase"),
]
