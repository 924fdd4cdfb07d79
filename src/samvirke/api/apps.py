from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "samvirke.api"
    label = "api"
    verbose_name = "API"
