"""Reads of accounts: each returns only what the viewer may see."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db.models import Prefetch, QuerySet

from nexus.accounts.errors import UserNotFound
from nexus.accounts.models import User


def user_list_public() -> QuerySet[User]:
    """Active members with their profile and roles, newest first: one query plus one for roles."""
    return (
        User.objects.filter(is_active=True, profile__isnull=False)
        .select_related("profile")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.only("id", "name")))
        .order_by("-id")
    )


def user_get_public(username: str) -> User:
    """An active member by username (case-insensitive), or UserNotFound."""
    user = user_list_public().filter(username__iexact=username).first()
    if user is None:
        raise UserNotFound(f"No member is called {username!r}.")
    return user


def user_get_me(user: Any) -> User:
    """The signed-in user again, with profile and roles loaded in one round trip."""
    return user_list_public().get(pk=user.pk)
