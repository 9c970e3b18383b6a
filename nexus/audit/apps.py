from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "nexus.audit"
    label = "audit"
    verbose_name = "Audit trail"
