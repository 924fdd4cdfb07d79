from django.urls import path

from samvirke.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("overview/<int:region_id>/", views.overview, name="region_overview"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("i18n/setlang/", views.set_language, name="set_language"),
]
