from django.urls import path

from programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_create, name="programme_create"),
    path("import/", views.programme_import, name="programme_import"),
    path("<int:pk>/", views.programme_detail, name="programme_detail"),
    path("<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("<int:pk>/duplicate/", views.programme_duplicate, name="programme_duplicate"),
    path("<int:pk>/new-version/", views.programme_new_version, name="programme_new_version"),
    path("<int:pk>/publish/", views.programme_publish, name="programme_publish"),
    path("<int:pk>/retire/", views.programme_retire, name="programme_retire"),
    path("<int:pk>/export/", views.programme_export, name="programme_export"),
    path("<int:pk>/pack/", views.information_pack_preview, name="information_pack_preview"),
    path("<int:pk>/pack/edit/", views.information_pack_edit, name="information_pack_edit"),
    path("plans/<int:pk>/", views.session_plan_detail, name="session_plan_detail"),
    path("plans/<int:pk>/edit/", views.session_plan_edit, name="session_plan_edit"),
    path("plans/<int:pk>/agenda-row/", views.agenda_row_add, name="agenda_row_add"),
    path("plans/<int:pk>/agenda-row/remove/", views.agenda_row_remove, name="agenda_row_remove"),
    path("materials/<int:pk>/", views.material_detail, name="material_detail"),
    path("materials/<int:pk>/download/", views.material_download, name="material_download"),
]
