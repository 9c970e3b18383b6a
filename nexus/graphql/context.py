"""What every app's GraphQL face needs from the request, in one place."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from nexus.core.errors import NotAuthenticated


def signed_in_user(info: Info) -> Any:
    """The user behind the request (bearer token or session), or NotAuthenticated."""
    user = info.context.request.user
    if not user.is_authenticated:
        raise NotAuthenticated()
    return user
