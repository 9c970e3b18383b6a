"""Roles are groups, read in one place; nothing else checks is_staff or group names."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Role(StrEnum):
    MENTOR = "mentor"
    ADMIN = "admin"


def user_roles(user: Any) -> frozenset[Role]:
    """The roles of a user, read once per user object (prefetched groups are used)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_nexus_roles", None)
    if cached is None:
        names = {group.name for group in user.groups.all()}
        cached = frozenset(role for role in Role if role.value in names)
        if user.is_superuser:
            cached |= {Role.ADMIN}
        user._nexus_roles = cached
    return cached


def user_has_role(user: Any, role: Role) -> bool:
    return role in user_roles(user)


def user_roles_forget(user: Any) -> None:
    """Drop the per-object memo after the user's groups changed."""
    user.__dict__.pop("_nexus_roles", None)
