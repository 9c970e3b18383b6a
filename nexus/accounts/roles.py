"""Roles are groups, read in one place; nothing else checks is_staff or group names.

Few people hold a role and roles change rarely, so who holds which is one small cached
map (user id -> roles) that the role services invalidate; reading a member's roles
costs no query per member, in lists and on detail pages alike.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from nexus.accounts.models import User
from nexus.core.cache import cache_bump, cache_get_or_compute
from nexus.core.request_memo import request_memo, request_memo_forget

ROLES_CACHE_SCOPE = "accounts.roles"


class Role(StrEnum):
    MENTOR = "mentor"
    ADMIN = "admin"


def _role_holders() -> dict[int, frozenset[Role]]:
    memberships = User.groups.through.objects.filter(  # type: ignore[attr-defined]
        group__name__in=[role.value for role in Role]
    ).values_list("user_id", "group__name")
    holders: dict[int, set[Role]] = {}
    for user_id, name in memberships:
        holders.setdefault(user_id, set()).add(Role(name))
    return {user_id: frozenset(roles) for user_id, roles in holders.items()}


def role_holders() -> dict[int, frozenset[Role]]:
    """Everyone who holds a role, with their roles: cached until a role changes, and read
    from the cache once per request (a member list asks for every member's roles)."""
    return request_memo(
        ROLES_CACHE_SCOPE,
        lambda: cache_get_or_compute(ROLES_CACHE_SCOPE, "holders", compute=_role_holders, timeout=3600),
    )


def role_holders_changed() -> None:
    """Call after group memberships change, wherever they were changed."""
    request_memo_forget(ROLES_CACHE_SCOPE)
    cache_bump(ROLES_CACHE_SCOPE)


def user_roles(user: Any) -> frozenset[Role]:
    """The roles of a user (superusers are admins)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    roles = role_holders().get(user.pk, frozenset())
    return roles | {Role.ADMIN} if user.is_superuser else roles


def user_has_role(user: Any, role: Role) -> bool:
    return role in user_roles(user)
