from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "nexus.web"
    label = "web"
    verbose_name = "Pages"
