"""Cache scopes of search: services bump them, selectors read under them."""

from __future__ import annotations

from django.db import transaction

from nexus.core.cache import cache_bump

# The topics and technologies search labels facets and results with.
SEARCH_VOCABULARY_CACHE_SCOPE = "search.vocabulary"


def search_vocabulary_changed() -> None:
    """Drop the cached vocabulary now and once the write commits (a racing reader cannot
    keep the old one)."""
    cache_bump(SEARCH_VOCABULARY_CACHE_SCOPE)
    transaction.on_commit(lambda: cache_bump(SEARCH_VOCABULARY_CACHE_SCOPE))
