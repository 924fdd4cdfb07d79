from django.urls import path

from samvirke.risk import views, views_history, views_library, views_regional, views_versions, views_workshop

app_name = "risk"
urlpatterns = [
    path("", views.analysis_list, name="list"),
    path("new/", views.analysis_create, name="analysis_create"),
    path("regional/", views_regional.regional_matrix, name="regional"),
    path("compare/", views_regional.compare_index, name="compare_index"),
    path("compare/<int:event_type_id>/", views_regional.compare, name="compare"),
    path("measures/", views_regional.measure_list, name="measures"),
    path("scales/", views_library.scale_set_list, name="scale_sets"),
    path("scales/<slug:scale_set_slug>/", views_library.scale_set_detail, name="scale_set_detail"),
    path("scales/<slug:scale_set_slug>/copy/", views_library.scale_set_copy, name="scale_set_copy"),
    path("scales/<slug:scale_set_slug>/edit/", views_library.scale_set_edit, name="scale_set_edit"),
    path("event-types/", views_library.event_type_list, name="event_types"),
    path("event-types/new/", views_library.event_type_create, name="event_type_create"),
    path("event-types/<int:event_type_id>/edit/", views_library.event_type_edit, name="event_type_edit"),
    path("<int:analysis_id>/", views.analysis_detail, name="analysis_detail"),
    path("<int:analysis_id>/edit/", views.analysis_edit, name="analysis_edit"),
    path("<int:analysis_id>/matrix/", views.analysis_matrix, name="analysis_matrix"),
    path("<int:analysis_id>/events/new/", views.event_create, name="event_create"),
    path("<int:analysis_id>/events/<int:event_id>/", views.event_detail, name="event_detail"),
    path("<int:analysis_id>/events/<int:event_id>/edit/", views.event_edit, name="event_edit"),
    path("<int:analysis_id>/measures/new/", views.measure_create, name="measure_create"),
    path("<int:analysis_id>/measures/<int:measure_id>/edit/", views.measure_edit, name="measure_edit"),
]

# Adopted versions, risk workshops and history (views_versions, views_workshop, views_history).
urlpatterns += [
    path("<int:analysis_id>/versions/", views_versions.version_list, name="versions"),
    path("<int:analysis_id>/versions/freeze/", views_versions.version_freeze, name="version_freeze"),
    path(
        "<int:analysis_id>/versions/<int:version_number>/diff/",
        views_versions.version_diff,
        name="version_diff",
    ),
    path("<int:analysis_id>/workshops/", views_workshop.workshop_list, name="workshop_list"),
    path("<int:analysis_id>/workshops/new/", views_workshop.workshop_create, name="workshop_create"),
    path(
        "<int:analysis_id>/workshops/<int:session_id>/",
        views_workshop.workshop_detail,
        name="workshop_detail",
    ),
    path(
        "<int:analysis_id>/workshops/<int:session_id>/score/",
        views_workshop.workshop_score,
        name="workshop_score",
    ),
    path(
        "<int:analysis_id>/workshops/<int:session_id>/events/<int:event_id>/agree/",
        views_workshop.workshop_agree,
        name="workshop_agree",
    ),
    path("<int:analysis_id>/history/", views_history.analysis_history, name="analysis_history"),
    path(
        "<int:analysis_id>/history/<int:history_id>/restore/",
        views_history.analysis_restore,
        name="analysis_restore",
    ),
    path(
        "<int:analysis_id>/events/<int:event_id>/history/",
        views_history.event_history,
        name="event_history",
    ),
    path(
        "<int:analysis_id>/events/<int:event_id>/history/<int:history_id>/restore/",
        views_history.event_restore,
        name="event_restore",
    ),
    path(
        "<int:analysis_id>/measures/<int:measure_id>/history/",
        views_history.measure_history,
        name="measure_history",
    ),
    path(
        "<int:analysis_id>/measures/<int:measure_id>/history/<int:history_id>/restore/",
        views_history.measure_restore,
        name="measure_restore",
    ),
]

# Reports and exchange (views_reports): its own block, so the shared import line above stays untouched.
from samvirke.risk import views_reports  # noqa: E402

urlpatterns += [
    path("<int:analysis_id>/report.docx", views_reports.report_docx, name="report_docx"),
    path("<int:analysis_id>/report.pdf", views_reports.report_pdf, name="report_pdf"),
    path("<int:analysis_id>/export.xlsx", views_reports.export_xlsx, name="export_xlsx"),
    path("<int:analysis_id>/import/template.xlsx", views_reports.import_template, name="import_template"),
    path("<int:analysis_id>/import/", views_reports.import_xlsx, name="import_xlsx"),
]
