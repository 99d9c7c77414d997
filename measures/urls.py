from django.urls import path

from measures import participant_views, views

app_name = "measures"
urlpatterns = [
    path("", views.measure_list, name="measure_list"),
    path("<int:pk>/", views.measure_detail, name="measure_detail"),
    path("<int:pk>/import/", views.measure_import, name="measure_import"),
    path("<int:pk>/items/<int:item_pk>/risk/", views.item_risk_flag, name="item_risk_flag"),
    # Participants
    path("mine/", participant_views.my_scores, name="my_scores"),
    path("answer/<int:cohort_id>/<int:scheduled_id>/", participant_views.response_begin, name="response_begin"),
    path("responses/<int:pk>/", participant_views.response_answer, name="response_answer"),
    path("responses/<int:pk>/review/", participant_views.response_review, name="response_review"),
    path("responses/<int:pk>/submit/", participant_views.response_submit, name="response_submit"),
    path("responses/<int:pk>/done/", participant_views.response_done, name="response_done"),
    path("responses/<int:pk>/correct/", participant_views.response_correct, name="response_correct"),
    # Facilitators and service leads
    path("alerts/", views.risk_alert_list, name="risk_alert_list"),
    path("alerts/<int:pk>/acknowledge/", views.risk_alert_acknowledge, name="risk_alert_acknowledge"),
    path("cohorts/<int:pk>/results/", views.cohort_results, name="cohort_results"),
    path("cohorts/<int:pk>/evaluation/", views.cohort_evaluation, name="cohort_evaluation"),
    path("cohorts/<int:pk>/evaluation.csv", views.cohort_evaluation_csv, name="cohort_evaluation_csv"),
    path("cohorts/<int:pk>/research.csv", views.cohort_research_csv, name="cohort_research_csv"),
]
