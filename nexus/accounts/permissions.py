"""Who may do what to accounts; services call the `require_` forms."""

from __future__ import annotations

from typing import Any

from nexus.accounts.roles import Role, user_has_role
from nexus.core.errors import PermissionDenied


def can_edit_profile(actor: Any, user: Any) -> bool:
    return bool(actor.is_authenticated and (actor.pk == user.pk or user_has_role(actor, Role.ADMIN)))


def require_edit_profile(actor: Any, user: Any) -> None:
    if not can_edit_profile(actor, user):
        raise PermissionDenied("Only the owner of this profile or an admin can edit it.")


def can_manage_roles(actor: Any | None) -> bool:
    """Admins grant roles; `None` is the operator at the command line."""
    return actor is None or user_has_role(actor, Role.ADMIN)


def require_manage_roles(actor: Any | None) -> None:
    if not can_manage_roles(actor):
        raise PermissionDenied("Only admins can change roles.")
