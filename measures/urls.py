from django.urls import path

from measures import views

app_name = "measures"
urlpatterns = [
    path("", views.measure_list, name="measure_list"),
    path("<int:pk>/", views.measure_detail, name="measure_detail"),
    path("<int:pk>/import/", views.measure_import, name="measure_import"),
]
