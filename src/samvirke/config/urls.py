from django.urls import include, path

from samvirke.api.api import api

urlpatterns = [
    path("", include("samvirke.web.urls")),
    path("accounts/", include("samvirke.accounts.urls")),
    path("notices/", include("samvirke.notices.urls")),
    path("risk/", include("samvirke.risk.urls")),
    path("plans/", include("samvirke.plans.urls")),
    path("organisations/", include("samvirke.organisations.urls")),
    path("api/v1/", api.urls),
]
