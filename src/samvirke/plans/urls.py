from django.urls import path

from samvirke.plans import views, views_report, views_rules

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("regions/<int:region_id>/status/", views.status_region, name="status_region"),
    path("regions/<int:region_id>/status/report.docx", views_report.report_docx, name="status_report_docx"),
    path("regions/<int:region_id>/status/report.pdf", views_report.report_pdf, name="status_report_pdf"),
    path("regions/<int:region_id>/rules/", views_rules.rules, name="rules"),
    path("regions/<int:region_id>/rules/sets/new/", views_rules.rule_set_create, name="rule_set_create"),
    path(
        "regions/<int:region_id>/rules/sets/<int:rule_set_id>/edit/",
        views_rules.rule_set_edit,
        name="rule_set_edit",
    ),
    path(
        "regions/<int:region_id>/rules/sets/<int:rule_set_id>/rules/new/",
        views_rules.rule_create,
        name="rule_create",
    ),
    path("regions/<int:region_id>/rules/<int:rule_id>/edit/", views_rules.rule_edit, name="rule_edit"),
    path("regions/<int:region_id>/rules/<int:rule_id>/retire/", views_rules.rule_retire, name="rule_retire"),
    path("organisations/<int:organisation_id>/documents/", views.register, name="register"),
    path("organisations/<int:organisation_id>/documents/new/", views.document_create, name="document_create"),
    path("organisations/<int:organisation_id>/status/", views.status, name="status"),
    path(
        "organisations/<int:organisation_id>/status/assessment/",
        views.assessment_edit,
        name="assessment_edit",
    ),
    path(
        "organisations/<int:organisation_id>/status/snapshots/", views.snapshot_create, name="snapshot_create"
    ),
    path("snapshots/<int:snapshot_id>/", views.snapshot_detail, name="snapshot_detail"),
    path("documents/<int:document_id>/", views.document_detail, name="document_detail"),
    path("documents/<int:document_id>/edit/", views.document_edit, name="document_edit"),
    path("documents/<int:document_id>/history/", views.document_history, name="document_history"),
    path(
        "documents/<int:document_id>/history/<int:history_id>/restore/",
        views.document_restore,
        name="document_restore",
    ),
    path("documents/<int:document_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "documents/<int:document_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "documents/<int:document_id>/attachments/<int:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
]
