from django.urls import path

from samvirke.risk import views

app_name = "risk"
urlpatterns = [
    path("", views.analysis_list, name="list"),
    path("new/", views.analysis_create, name="analysis_create"),
    path("<int:analysis_id>/", views.analysis_detail, name="analysis_detail"),
    path("<int:analysis_id>/edit/", views.analysis_edit, name="analysis_edit"),
    path("<int:analysis_id>/matrix/", views.analysis_matrix, name="analysis_matrix"),
    path("<int:analysis_id>/events/new/", views.event_create, name="event_create"),
    path("<int:analysis_id>/events/<int:event_id>/", views.event_detail, name="event_detail"),
    path("<int:analysis_id>/events/<int:event_id>/edit/", views.event_edit, name="event_edit"),
    path("<int:analysis_id>/measures/new/", views.measure_create, name="measure_create"),
    path("<int:analysis_id>/measures/<int:measure_id>/edit/", views.measure_edit, name="measure_edit"),
]
