"""Reads of the audit trail: admins only, newest first, constant cost per page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from nexus.audit.models import AuditEvent
from nexus.audit.permissions import require_view_audit


def audit_event_list(user: Any) -> QuerySet[AuditEvent]:
    """Every audit event, newest first, for an admin (PermissionDenied for anyone else)."""
    require_view_audit(user)
    return AuditEvent.objects.select_related("target_type").order_by("-id")


def audit_action_list(user: Any) -> list[str]:
    """The distinct actions recorded so far, for the filter menu."""
    require_view_audit(user)
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
