"""Cache scopes of the community: services bump them, the discussion block reads under them."""

from __future__ import annotations

from django.db import transaction

from nexus.accounts.caching import PROFILES_CACHE_SCOPE
from nexus.core.cache import cache_bump

# The anonymous discussion block shows names from profiles.
DISCUSSION_CACHE_DEPENDS_ON = (PROFILES_CACHE_SCOPE,)


def discussion_cache_scope(entry_id: int) -> str:
    return f"community.discussion:{entry_id}"


def discussion_changed(entry_id: int) -> None:
    """Invalidate an entry's cached discussion: now, and again once the write commits, so no
    reader caches what the transaction is replacing."""
    scope = discussion_cache_scope(entry_id)
    cache_bump(scope)
    transaction.on_commit(lambda: cache_bump(scope))
