from django.urls import path

from samvirke.agreements import views

app_name = "agreements"
urlpatterns = [
    path("", views.index, name="index"),
    path("regions/<int:region_id>/", views.region_list, name="region_list"),
    path("organisations/<int:organisation_id>/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:organisation_id>/new/", views.agreement_create, name="create"),
    path("<int:agreement_id>/", views.agreement_detail, name="detail"),
    path("<int:agreement_id>/edit/", views.agreement_edit, name="edit"),
    path("<int:agreement_id>/history/", views.agreement_history, name="history"),
    path("<int:agreement_id>/history/<int:history_id>/restore/", views.agreement_restore, name="restore"),
    path("<int:agreement_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "<int:agreement_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:agreement_id>/attachments/<int:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
]
