from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nexus.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by services and never edited or deleted."""

    list_display = ["created_at", "action", "actor_repr", "target_repr", "ip", "request_id"]
    list_filter = ["action", ("created_at", admin.DateFieldListFilter), "target_type"]
    search_fields = ["action", "actor_repr", "target_repr", "request_id"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    date_hierarchy = "created_at"
    list_select_related = ["target_type"]
    show_full_result_count = False  # no COUNT(*) of a table that only grows

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
