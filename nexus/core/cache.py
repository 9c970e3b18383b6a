"""Versioned cache keys that services invalidate, on a cache that fails open.

A cached read is stored under `<scope>:v<N>:<parts>`. A service that changes what the
scope covers calls `cache_bump(scope)`; readers then miss and recompute, and the old
entries expire on their own. Every call tolerates a cache outage: it is logged and the
value is computed from the database, so Redis going away slows pages, never breaks them.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from django.core.cache import cache, caches

logger = logging.getLogger("nexus.cache")

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
_MISSING = object()
# Memcached refuses keys over 250 bytes; long parts are hashed to stay well below.
_MAX_KEY_LENGTH = 200


def _version_key(scope: str) -> str:
    return f"v:{scope}"


def _new_version() -> int:
    # Microseconds since the epoch: a version stored afresh (the cache lost it) is above
    # every value it held before, so no copy kept in a process under an old one matches.
    return time.time_ns() // 1000


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
            cache.set(key, _new_version(), timeout=None)
    except Exception:
        logger.warning("Cache unavailable while invalidating %s", scope, exc_info=True)


def _stamp(found: dict[str, Any], scope: str, depends_on: tuple[str, ...]) -> tuple[int, ...]:
    """The versions a value of `scope` is valid under, read from a get_many answer."""
    return tuple(int(found.get(_version_key(name)) or 1) for name in (scope, *depends_on))


def cache_get_or_compute(
    scope: str,
    *parts: object,
    compute: Callable[[], T],
    timeout: int = 300,
    depends_on: tuple[str, ...] = (),
    local: bool = False,
) -> T:
    """The cached value for (scope, parts), computed and stored on a miss: one round trip
    to the cache on a hit (see cache_get_many_or_compute for `local`)."""
    found = cache_get_many_or_compute(
        {None: (scope, cache_key(scope, *parts))},
        compute=lambda _: {None: compute()},
        timeout=timeout,
        depends_on=depends_on,
        local=local,
    )
    return found[None]


# scope -> (the version a value was computed under, the value): see cache_memo.
_memos: dict[str, tuple[int, Any]] = {}


def cache_memo(scope: str, compute: Callable[[], T]) -> T:
    """A small value nearly every request reads (search's vocabulary), kept in this process
    as the object itself under its scope's version: a call reads only the version, a few
    bytes, and unpickles nothing. A bump in any process reaches this one, as the version
    is shared. Every request of the process gets the same object: never change it."""
    key = _version_key(scope)
    try:
        found = cache.get_many([key])
    except Exception:
        logger.warning("Cache unavailable while reading %s", scope, exc_info=True)
        return compute()
    if not _versions_present(found, [key]):
        return compute()  # without a stored version a kept value could not be told apart
    version = int(found[key])
    held = _memos.get(scope)
    if held is not None and held[0] == version:
        return cast(T, held[1])
    # Read before computing: a bump racing the computation leaves this value under the
    # older version, so the next call computes again.
    value = compute()
    _memos[scope] = (version, value)
    return value


def cache_get_many_or_compute(
    items: dict[K, tuple[str, str]],
    *,
    compute: Callable[[list[K]], dict[K, T]],
    timeout: int = 300,
    depends_on: tuple[str, ...] = (),
    local: bool = False,
) -> dict[K, T]:
    """Cached values for many items, each under its own (scope, key) and the shared scopes
    it depends on, in one round trip; the misses are computed together by
    `compute(missing_items)` and stored. Items `compute` leaves out are left out.

    `local=True` also keeps each value in this process (the `fragments` cache) under the
    versions it is valid for, for large values read often: a hit then fetches only the
    versions from the shared cache, a few bytes, where a rendered thread of 200 comments
    is 150 kB. A bump still reaches every process, as the versions are shared."""
    scopes = {scope for scope, _ in items.values()} | set(depends_on)
    version_keys = [_version_key(scope) for scope in scopes]
    try:
        found = cache.get_many(version_keys if local else [key for _, key in items.values()] + version_keys)
    except Exception:
        logger.warning("Cache unavailable while reading %d values", len(items), exc_info=True)
        return compute(list(items))
    if local and not _versions_present(found, version_keys):
        local = False  # without stored versions a process copy could not be told apart
    stamps = {item: _stamp(found, scope, depends_on) for item, (scope, _) in items.items()}
    values: dict[K, T] = {}
    if local:
        kept = _local_get({item: (key, stamps[item]) for item, (_, key) in items.items()})
        values.update(kept)
        shared = [key for item, (_, key) in items.items() if item not in kept]
        if shared:
            try:
                found.update(cache.get_many(shared))
            except Exception:
                logger.warning("Cache unavailable while reading %d values", len(shared), exc_info=True)
    shared_hits = {}
    for item, (_, key) in items.items():
        stored = found.get(key)
        if item not in values and stored is not None and stored[0] == stamps[item]:
            values[item] = shared_hits[key, stamps[item]] = stored[1]
    if local and shared_hits:
        _local_set(shared_hits, timeout)
    missing = [item for item in items if item not in values]
    if missing:
        computed = compute(missing)
        values.update(computed)
        try:
            cache.set_many({items[item][1]: (stamps[item], computed[item]) for item in computed}, timeout=timeout)
        except Exception:
            logger.warning("Cache unavailable while writing %d values", len(computed), exc_info=True)
        if local:
            _local_set({(items[item][1], stamps[item]): computed[item] for item in computed}, timeout)
    return values


def _versions_present(found: dict[str, Any], version_keys: list[str]) -> bool:
    """Whether every version was found; missing ones are stored (and read into `found`)."""
    missing = [key for key in version_keys if found.get(key) is None]
    if not missing:
        return True
    try:
        for key in missing:
            cache.add(key, _new_version(), timeout=None)  # stored once; a bump racing it wins
        found.update(cache.get_many(missing))
    except Exception:
        logger.warning("Cache unavailable while storing %d versions", len(missing), exc_info=True)
    return all(found.get(key) is not None for key in missing)


def _local_key(key: str, stamp: tuple[int, ...]) -> str:
    return f"{key}:" + ".".join(map(str, stamp))


def _local_get(keys: dict[K, tuple[str, tuple[int, ...]]]) -> dict[K, Any]:
    local_keys = {item: _local_key(*key) for item, key in keys.items()}
    found = caches["fragments"].get_many(list(local_keys.values()))
    return {item: found[key] for item, key in local_keys.items() if key in found}


def _local_set(values: dict[tuple[str, tuple[int, ...]], Any], timeout: int) -> None:
    caches["fragments"].set_many({_local_key(*key): value for key, value in values.items()}, timeout=timeout)
