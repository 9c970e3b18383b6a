"""Versioned cache keys that services invalidate, on a cache that fails open.

A cached read is stored under `<scope>:v<N>:<parts>`. A service that changes what the
scope covers calls `cache_bump(scope)`; readers then miss and recompute, and the old
entries expire on their own. Every call tolerates a cache outage: it is logged and the
value is computed from the database, so Redis going away slows pages, never breaks them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

logger = logging.getLogger("nexus.cache")

T = TypeVar("T")
_MISSING = object()
# Memcached refuses keys over 250 bytes; long parts are hashed to stay well below.
_MAX_KEY_LENGTH = 200


def _version_key(scope: str) -> str:
    return f"v:{scope}"


def cache_versions(*scopes: str) -> list[int]:
    """The current version of each scope (1 until first bumped), in one round trip."""
    keys = [_version_key(scope) for scope in scopes]
    try:
        found = cache.get_many(keys)
    except Exception:
        logger.warning("Cache unavailable while reading the versions of %s", scopes, exc_info=True)
        return [1] * len(scopes)
    return [int(found.get(key) or 1) for key in keys]


def cache_key(scope: str, *parts: object, depends_on: tuple[str, ...] = ()) -> str:
    """A key in the current version of `scope` and of each scope it `depends_on`: bumping
    any of them moves the key."""
    versions = ".".join(str(version) for version in cache_versions(scope, *depends_on))
    key = f"{scope}:v{versions}:" + ":".join(str(part) for part in parts)
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


def cache_get_or_compute(
    scope: str, *parts: object, compute: Callable[[], T], timeout: int = 300, depends_on: tuple[str, ...] = ()
) -> T:
    """The cached value for (scope, parts), computed and stored on a miss."""
    key = cache_key(scope, *parts, depends_on=depends_on)
    try:
        value = cache.get(key, _MISSING)
    except Exception:
        logger.warning("Cache unavailable while reading %s", key, exc_info=True)
        return compute()
    if value is not _MISSING:
        return value  # type: ignore[return-value]
    value = compute()
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        logger.warning("Cache unavailable while writing %s", key, exc_info=True)
    return value
