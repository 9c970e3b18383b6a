"""Who may follow what, and who manages which webhooks: the one place that decides.

Followable models are named "app_label.model" in FOLLOWABLE (or added by another app with
`followable_register`, e.g. nexus.community's projects and questions), each with the check
that decides who may see an object of it: following what you cannot see is "not found".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model

from nexus.accounts.roles import Role, user_has_role
from nexus.core.errors import PermissionDenied
from nexus.knowledge.models import Hub
from nexus.knowledge.permissions import can_view_entry, can_view_hub, can_view_proposal

VisibleCheck = Callable[[Any, Any], bool]


def _everyone(user: Any, target: Any) -> bool:
    return True


FOLLOWABLE: dict[str, VisibleCheck] = {
    "knowledge.hub": can_view_hub,
    "knowledge.topic": _everyone,
    "knowledge.technology": _everyone,
}


def followable_register(label: str, *, can_view: VisibleCheck = _everyone) -> None:
    """Let users follow objects of model `label` ("app_label.model"); `can_view(user, obj)`
    decides who may see one (and so follow it and be notified about it)."""
    FOLLOWABLE[label.lower()] = can_view


def followable_label(target: Model) -> str:
    return target._meta.label_lower


def is_followable(target: Model) -> bool:
    return followable_label(target) in FOLLOWABLE


def can_view_follow_target(user: Any, target: Model) -> bool:
    check = FOLLOWABLE.get(followable_label(target))
    return check is not None and check(user, target)


# What an event may be kept to (event_publish(audience=...)): the objects' viewers only.
# Followable models count too, with their own check.
AUDIENCES: dict[str, VisibleCheck] = {
    "knowledge.entry": can_view_entry,
    "knowledge.editproposal": can_view_proposal,
}


def has_audience_check(target: Model) -> bool:
    return followable_label(target) in AUDIENCES or is_followable(target)


def can_view_audience(user: Any, target: Model) -> bool:
    """May `user` hear of what happens on `target`?"""
    label = followable_label(target)
    check = AUDIENCES.get(label) or FOLLOWABLE.get(label)
    return check is not None and check(user, target)


def can_follow(user: Any, target: Model) -> bool:
    return bool(user.is_authenticated) and can_view_follow_target(user, target)


def _is_admin(user: Any) -> bool:
    return bool(user.is_authenticated) and user_has_role(user, Role.ADMIN)


def can_manage_webhooks(user: Any, hub: Hub | None) -> bool:
    """A hub's owner manages its webhooks; site-wide webhooks (no hub) are for admins."""
    if not user.is_authenticated:
        return False
    if _is_admin(user):
        return True
    return hub is not None and hub.owner_id == user.pk


def can_allow_private_webhook(user: Any) -> bool:
    """Only an admin lets a webhook reach a private, loopback or link-local address."""
    return _is_admin(user)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
