from django.urls import path

from samvirke.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<int:organisation_id>/", views.organisation_detail, name="detail"),
    path("<int:organisation_id>/members/new/", views.membership_add, name="membership_add"),
    path(
        "<int:organisation_id>/members/<int:membership_id>/edit/",
        views.membership_change,
        name="membership_change",
    ),
    path(
        "<int:organisation_id>/members/<int:membership_id>/deactivate/",
        views.membership_deactivate,
        name="membership_deactivate",
    ),
    path(
        "<int:organisation_id>/members/<int:membership_id>/invite/",
        views.membership_invite,
        name="membership_invite",
    ),
]
