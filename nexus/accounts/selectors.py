"""Reads of accounts: each returns only what the viewer may see."""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import QuerySet

from nexus.accounts.errors import UserNotFound
from nexus.accounts.models import Profile, User
from nexus.core.rows import ModelColumns, fetch_one, is_storable_key

_USER = ModelColumns(User, "u")


@functools.cache
def _user_by_id_sql() -> str:
    return f"SELECT {_USER.sql} FROM {_USER.table} WHERE u.{_USER.column('id')} = %s"  # noqa: S608 (names from the model)


def user_by_id(user_id: Any) -> User | None:
    """The account with this id, active or not (None when there is none): what every
    request with a bearer token reads first, from a statement written once (core/rows.py)."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    if not is_storable_key(pk):  # a signed claim, but no database integer
        return None
    row = fetch_one(_user_by_id_sql(), [pk])
    return _USER.load(row) if row is not None else None


def user_list_public() -> QuerySet[User]:
    """Active members with their profile, newest first, in one query (roles: see roles.py)."""
    return User.objects.filter(is_active=True, profile__isnull=False).select_related("profile").order_by("-id")


_PROFILE = ModelColumns(Profile, "p")


@functools.cache
def _user_public_sql() -> str:
    # The inner join is profile__isnull=False; LOWER() matches the unique index on
    # lower(username), where iexact's UPPER() would not.
    return (
        f"SELECT {_USER.sql}, {_PROFILE.sql} FROM {_USER.table} "  # noqa: S608 (names from the models)
        f"JOIN {_PROFILE.table} ON p.{_PROFILE.column('user')} = u.id "
        f"WHERE LOWER(u.{_USER.column('username')}) = %s AND u.{_USER.column('is_active')} = %s"
    )


def user_get_public(username: str) -> User:
    """An active member with a profile by username (case-insensitive), or UserNotFound;
    the profile is loaded with it, in one statement written once (core/rows.py)."""
    if "\x00" in username:  # PostgreSQL refuses NUL in a query; no username has one
        raise UserNotFound(f"No member is called {username!r}.")
    row = fetch_one(_user_public_sql(), [username.lower(), True])
    if row is None:
        raise UserNotFound(f"No member is called {username!r}.")
    user, profile = _USER.load(row), _PROFILE.load(row, _USER.width)
    User._meta.get_field("profile").set_cached_value(user, profile)  # type: ignore[union-attr]
    Profile._meta.get_field("user").set_cached_value(profile, user)  # type: ignore[union-attr]
    return user


def user_get_me(user: Any) -> User:
    """The signed-in user again, with their profile, in one query."""
    return user_list_public().get(pk=user.pk)
