from django.urls import include, path

from samvirke.api.api import api

urlpatterns = [
    path("", include("samvirke.web.urls")),
    path("accounts/", include("samvirke.accounts.urls")),
    path("notices/", include("samvirke.notices.urls")),
    path("risk/", include("samvirke.risk.urls")),
    path("plans/", include("samvirke.plans.urls")),
    path("emergency-plans/", include("samvirke.emergencyplan.urls")),
    path("reminders/", include("samvirke.reminders.urls")),
    path("follow-up/", include("samvirke.followup.urls")),
    path("agreements/", include("samvirke.agreements.urls")),
    path("organisations/", include("samvirke.organisations.urls")),
    path("api/v1/", api.urls),
]
