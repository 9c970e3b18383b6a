"""Who may see traffic and manage IP rules and flags: admins (and the operator at the
command line, `None`)."""

from __future__ import annotations

from typing import Any

from nexus.accounts.roles import Role, user_has_role
from nexus.core.errors import PermissionDenied


def can_view_traffic(user: Any) -> bool:
    return user is None or user_has_role(user, Role.ADMIN)


def require_view_traffic(user: Any) -> None:
    if not can_view_traffic(user):
        raise PermissionDenied("Only admins can see traffic.")


def can_manage_ip_rules(actor: Any) -> bool:
    return actor is None or user_has_role(actor, Role.ADMIN)


def require_manage_ip_rules(actor: Any) -> None:
    if not can_manage_ip_rules(actor):
        raise PermissionDenied("Only admins can block or unblock addresses.")


def can_review_flags(actor: Any) -> bool:
    return actor is None or user_has_role(actor, Role.ADMIN)


def require_review_flags(actor: Any) -> None:
    if not can_review_flags(actor):
        raise PermissionDenied("Only admins can review anomaly flags.")
