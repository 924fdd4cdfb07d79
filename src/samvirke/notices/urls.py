from django.urls import path

from samvirke.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_create, name="create"),
    path("<int:notice_id>/", views.notice_detail, name="detail"),
    path("<int:notice_id>/edit/", views.notice_edit, name="edit"),
    path("<int:notice_id>/history/", views.notice_history, name="history"),
    path("<int:notice_id>/history/<int:history_id>/restore/", views.notice_restore, name="restore"),
]
