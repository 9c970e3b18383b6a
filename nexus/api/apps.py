from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "nexus.api"
    label = "api"
    verbose_name = "REST plumbing"
