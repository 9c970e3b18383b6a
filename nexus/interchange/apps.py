from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "nexus.interchange"
    label = "interchange"
    verbose_name = "Interchange"
