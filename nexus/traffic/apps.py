from django.apps import AppConfig


class TrafficConfig(AppConfig):
    name = "nexus.traffic"
    label = "traffic"
    verbose_name = "Traffic"
