from django.urls import path

from samvirke.followup import views

app_name = "followup"

_activity = "plans/<int:followup_plan_id>/activities/<int:followup_activity_id>/"
_evaluation = "evaluations/<int:annual_evaluation_id>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("regions/<int:region_id>/", views.region, name="region"),
    path("organisations/<int:organisation_id>/", views.organisation, name="organisation"),
    path("organisations/<int:organisation_id>/plans/new/", views.plan_create, name="plan_create"),
    path(
        "organisations/<int:organisation_id>/evaluations/new/",
        views.evaluation_create,
        name="evaluation_create",
    ),
    path("plans/<int:followup_plan_id>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:followup_plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:followup_plan_id>/generate/", views.plan_generate, name="plan_generate"),
    path("plans/<int:followup_plan_id>/responsibility/", views.plan_raci, name="plan_raci"),
    path("plans/<int:followup_plan_id>/history/", views.plan_history, name="plan_history"),
    path(
        "plans/<int:followup_plan_id>/history/<int:history_id>/restore/",
        views.plan_restore,
        name="plan_restore",
    ),
    path("plans/<int:followup_plan_id>/activities/new/", views.activity_create, name="activity_create"),
    path(_activity, views.activity_detail, name="activity_detail"),
    path(_activity + "edit/", views.activity_edit, name="activity_edit"),
    path(_activity + "postpone/", views.activity_postpone, name="activity_postpone"),
    path(_activity + "done/", views.activity_done, name="activity_done"),
    path(_activity + "history/", views.activity_history, name="activity_history"),
    path(_activity + "history/<int:history_id>/restore/", views.activity_restore, name="activity_restore"),
    path(_evaluation, views.evaluation_detail, name="evaluation_detail"),
    path(_evaluation + "edit/", views.evaluation_edit, name="evaluation_edit"),
    path(_evaluation + "report.docx", views.evaluation_docx, name="evaluation_docx"),
    path(_evaluation + "report.pdf", views.evaluation_pdf, name="evaluation_pdf"),
    path(_evaluation + "history/", views.evaluation_history, name="evaluation_history"),
    path(
        _evaluation + "history/<int:history_id>/restore/",
        views.evaluation_restore,
        name="evaluation_restore",
    ),
]
