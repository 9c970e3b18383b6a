"""Cache scopes of accounts that other apps' cached reads depend on."""

from __future__ import annotations

from django.db import transaction

from nexus.core.cache import cache_bump

# Any cached representation showing a member's profile (name, track...) depends on this.
PROFILES_CACHE_SCOPE = "accounts.profiles"


def profiles_changed() -> None:
    """Invalidate cached reads that show profiles: now, and again once the write commits
    (a reader between the two could otherwise cache the old profile under the new version)."""
    cache_bump(PROFILES_CACHE_SCOPE)
    transaction.on_commit(lambda: cache_bump(PROFILES_CACHE_SCOPE))
