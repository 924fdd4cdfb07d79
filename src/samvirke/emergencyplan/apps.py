from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyPlanConfig(AppConfig):
    name = "samvirke.emergencyplan"
    label = "emergencyplan"
    verbose_name = _("Emergency plans")
