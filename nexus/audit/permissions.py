"""Who may read the audit trail (nobody may change it)."""

from __future__ import annotations

from typing import Any

from nexus.accounts.roles import Role, user_has_role
from nexus.core.errors import PermissionDenied


def can_view_audit(user: Any) -> bool:
    return user_has_role(user, Role.ADMIN)


def require_view_audit(user: Any) -> None:
    if not can_view_audit(user):
        raise PermissionDenied("Only admins can read the audit trail.")
