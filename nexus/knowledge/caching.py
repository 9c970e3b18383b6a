"""Cache scopes of the knowledge core: services bump them, faces read under them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from nexus.accounts.caching import PROFILES_CACHE_SCOPE
from nexus.core.cache import cache_bump

# Topic and technology names show in every entry.
VOCABULARY_CACHE_SCOPE = "knowledge.vocabulary"
# What a cached entry representation depends on besides the entry itself.
ENTRY_CACHE_DEPENDS_ON = (PROFILES_CACHE_SCOPE, VOCABULARY_CACHE_SCOPE)


# Every anonymous entry list (any filter, any page): one scope, bumped by any entry write.
ENTRY_LISTS_CACHE_SCOPE = "knowledge.entry-lists"


def entry_cache_scope(entry_id: int) -> str:
    return f"knowledge.entry:{entry_id}"


def entry_cache_day() -> str:
    """A part of every cached entry representation's key: is_stale turns at midnight
    without any write to bump a scope."""
    return timezone.localdate().isoformat()


def vocabulary_changed() -> None:
    """Invalidate cached entries after a topic or technology changed (now and after commit)."""
    cache_bump(VOCABULARY_CACHE_SCOPE)
    transaction.on_commit(lambda: cache_bump(VOCABULARY_CACHE_SCOPE))


def entries_changed(entry_ids: Iterable[int]) -> None:
    """Invalidate the cached representations of these entries: now, and again once the
    write commits, so no reader caches what the transaction is replacing."""
    scopes = [ENTRY_LISTS_CACHE_SCOPE, *(entry_cache_scope(entry_id) for entry_id in entry_ids)]

    def bump() -> None:
        for scope in scopes:
            cache_bump(scope)

    bump()
    transaction.on_commit(bump)
