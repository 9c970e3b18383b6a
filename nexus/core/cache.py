"""Versioned cache keys that services invalidate, on a cache that fails open.

A cached read is stored under `<scope>:v<N>:<parts>`. A service that changes what the
scope covers calls `cache_bump(scope)`; readers then miss and recompute, and the old
entries expire on their own. Every call tolerates a cache outage: it is logged and the
value is computed from the database, so Redis going away slows pages, never breaks them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache

logger = logging.getLogger("nexus.cache")

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
_MISSING = object()
# Memcached refuses keys over 250 bytes; long parts are hashed to stay well below.
_MAX_KEY_LENGTH = 200


def _version_key(scope: str) -> str:
    return f"v:{scope}"


def cache_key(scope: str, *parts: object) -> str:
    """The key a value of (scope, parts) is stored under (with the versions it is valid for)."""
    key = f"{scope}:" + ":".join(str(part) for part in parts)
    if len(key) > _MAX_KEY_LENGTH:
        key = f"{scope}:h:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def cache_bump(scope: str) -> None:
    """Invalidate everything cached under `scope` by moving it to a new version."""
    key = _version_key(scope)
    try:
        try:
            cache.incr(key)
        except ValueError:  # the version was never stored (or was evicted)
            cache.set(key, 2, timeout=None)
    except Exception:
        logger.warning("Cache unavailable while invalidating %s", scope, exc_info=True)


def _stamp(found: dict[str, Any], scope: str, depends_on: tuple[str, ...]) -> tuple[int, ...]:
    """The versions a value of `scope` is valid under, read from a get_many answer."""
    return tuple(int(found.get(_version_key(name)) or 1) for name in (scope, *depends_on))


def cache_get_or_compute(
    scope: str, *parts: object, compute: Callable[[], T], timeout: int = 300, depends_on: tuple[str, ...] = ()
) -> T:
    """The cached value for (scope, parts), computed and stored on a miss: one round trip
    to the cache on a hit."""
    found = cache_get_many_or_compute(
        {None: (scope, cache_key(scope, *parts))},
        compute=lambda _: {None: compute()},
        timeout=timeout,
        depends_on=depends_on,
    )
    return found[None]


def cache_get_many_or_compute(
    items: dict[K, tuple[str, str]],
    *,
    compute: Callable[[list[K]], dict[K, T]],
    timeout: int = 300,
    depends_on: tuple[str, ...] = (),
) -> dict[K, T]:
    """Cached values for many items, each under its own (scope, key) and the shared scopes
    it depends on, in one round trip; the misses are computed together by
    `compute(missing_items)` and stored. Items `compute` leaves out are left out."""
    scopes = {scope for scope, _ in items.values()} | set(depends_on)
    try:
        found = cache.get_many([key for _, key in items.values()] + [_version_key(scope) for scope in scopes])
    except Exception:
        logger.warning("Cache unavailable while reading %d values", len(items), exc_info=True)
        return compute(list(items))
    values: dict[K, T] = {}
    stamps: dict[K, tuple[int, ...]] = {}
    for item, (scope, key) in items.items():
        stamps[item] = _stamp(found, scope, depends_on)
        stored = found.get(key)
        if stored is not None and stored[0] == stamps[item]:
            values[item] = stored[1]
    missing = [item for item in items if item not in values]
    if missing:
        computed = compute(missing)
        values.update(computed)
        try:
            cache.set_many({items[item][1]: (stamps[item], computed[item]) for item in computed}, timeout=timeout)
        except Exception:
            logger.warning("Cache unavailable while writing %d values", len(computed), exc_info=True)
    return values
