"""Rate limits and the sign-in lockout, counted in the cache (Redis in production).

Request limits use django-ratelimit's fixed-window counters (`get_usage`). The lockout is
two cache counters per failed sign-in (the account, the address) and a lock key that
expires. When the cache is unavailable every check fails open (RATELIMIT_FAIL_OPEN and
the try blocks below): limits stop applying until it returns, the site keeps serving.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django_ratelimit.core import _get_window, _split_rate, get_usage

from nexus.core.cache import cache_key

logger = logging.getLogger("nexus.cache")

LOCKOUT_SCOPE = "traffic.lockout"


@dataclass(frozen=True)
class Exceeded:
    """A limit a request went over, and when to retry."""

    name: str
    rate: str
    retry_after: int


def limit_hit(request: Any, *, name: str, rate: str, key: str) -> Exceeded | None:
    """Count one request against (name, key) at `rate` ("50/10s"); the limit exceeded, or None."""
    usage = get_usage(request, group=name, key=lambda group, request: key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:  # under the limit, limits off, or fail open
        return None
    return Exceeded(name, rate, max(1, int(usage["time_left"])))


def cost_hit(*, name: str, rate: str, key: str, cost: int) -> Exceeded | None:
    """Count `cost` units against (name, key) at `rate` (GraphQL spends its query's cost):
    django-ratelimit's window and rate syntax, one atomic cache increment by the cost."""
    limit, period = _split_rate(rate)
    window = _get_window(key, period)
    counter = cache_key("traffic.cost", name, window, key)
    try:
        cache.add(counter, 0, timeout=period + 1)
        count = cache.incr(counter, max(1, cost))
    except ValueError:  # evicted between add and incr
        return None
    except Exception:
        logger.warning("Cache unavailable while counting %s (limits fail open)", name, exc_info=True)
        return None
    if count is None or count <= limit:
        return None
    return Exceeded(name, rate, max(1, window - int(time.time())))


def request_limits_exceeded(request: Any, *, address: str, user_id: int | None) -> Exceeded | None:
    """The per-client limits every request counts against: anonymous clients per address
    (per minute and per 10 s), signed-in users per account."""
    if not settings.NEXUS_RATE_LIMITS_ENABLED:
        return None
    if user_id is not None:
        return limit_hit(request, name="user", rate=settings.NEXUS_RATE_USER, key=str(user_id))
    found = [
        limit_hit(request, name="anon-minute", rate=settings.NEXUS_RATE_ANON, key=address),
        limit_hit(request, name="anon-burst", rate=settings.NEXUS_RATE_ANON_BURST, key=address),
    ]
    exceeded = [item for item in found if item is not None]
    return max(exceeded, key=lambda item: item.retry_after) if exceeded else None


def route_limit_exceeded(request: Any, *, route: str, address: str) -> Exceeded | None:
    """The stricter limits of sign-in, sign-up, password reset and token routes (POST only)."""
    if not settings.NEXUS_RATE_LIMITS_ENABLED or request.method != "POST":
        return None
    if route not in settings.NEXUS_RATE_AUTH_ROUTES:
        return None
    return limit_hit(request, name=f"auth:{route}", rate=settings.NEXUS_RATE_AUTH, key=address)


# --- Sign-in lockout ----------------------------------------------------------------------------


def _account_key(username: str) -> str:
    return cache_key(LOCKOUT_SCOPE, "account", username.strip().casefold()[:150])


def _address_key(address: str) -> str:
    return cache_key(LOCKOUT_SCOPE, "address", address)


def _keys(username: str | None, address: str | None) -> list[tuple[str, int]]:
    keys = []
    if username:
        keys.append((_account_key(username), settings.NEXUS_LOCKOUT_ACCOUNT_FAILURES))
    if address:
        keys.append((_address_key(address), settings.NEXUS_LOCKOUT_ADDRESS_FAILURES))
    return keys


def login_locked_for(*, username: str | None, address: str | None) -> int:
    """Seconds until the account or the address may try to sign in again (0: now)."""
    keys = [f"{key}:lock" for key, _ in _keys(username, address)]
    if not keys:
        return 0
    try:
        found = cache.get_many(keys)
    except Exception:
        logger.warning("Cache unavailable while checking the sign-in lockout", exc_info=True)
        return 0
    until = max((float(value) for value in found.values() if value), default=0.0)
    return max(0, int(until - time.time()) + 1) if until > time.time() else 0


def login_failure_record(*, username: str | None, address: str | None) -> None:
    """Count a failed sign-in against the account and the address; lock the one that
    reached its limit for NEXUS_LOCKOUT_MINUTES."""
    period = settings.NEXUS_LOCKOUT_MINUTES * 60
    for key, limit in _keys(username, address):
        try:
            cache.add(key, 0, timeout=period)
            count = cache.incr(key)
            if count is not None and count >= limit:
                cache.set(f"{key}:lock", time.time() + period, timeout=period)
        except Exception:
            logger.warning("Cache unavailable while counting a failed sign-in", exc_info=True)


def login_success_record(*, username: str) -> None:
    """A successful sign-in forgives the account's earlier failures."""
    try:
        cache.delete(_account_key(username))
    except Exception:
        logger.warning("Cache unavailable while clearing sign-in failures", exc_info=True)


def login_unlock(*, username: str | None = None, address: str | None = None) -> None:
    """Lift the lockout (and forget the failures) of an account or an address."""
    keys = [key for key, _ in _keys(username, address)]
    cache.delete_many([*keys, *(f"{key}:lock" for key in keys)])
