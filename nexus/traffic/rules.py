"""IP rules as every request checks them: from the cache, compiled in process memory.

The active rules are one cached tuple under a versioned scope that the rule services bump.
Each process keeps the tuple it last compiled, indexed by prefix length, and asks the
cache again at most every NEXUS_IP_RULES_REFRESH_SECONDS: a check is a few dictionary
lookups, no database query and usually no cache round trip either. A changed rule is
seen everywhere within that many seconds.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone

from nexus.core.cache import cache_bump, cache_get_or_compute
from nexus.traffic.addresses import address_parse
from nexus.traffic.models import IpRule

logger = logging.getLogger(__name__)

RULES_CACHE_SCOPE = "traffic.rules"
RuleRows = tuple[tuple[str, float], ...]  # (network, expires at as a timestamp or inf)


@dataclass
class _Compiled:
    rows: RuleRows = ()
    # version -> prefix length -> network number -> expiry timestamp
    index: dict[int, dict[int, dict[int, float]]] = field(default_factory=lambda: {4: {}, 6: {}})


_lock = threading.Lock()
_state: dict[str, object] = {"compiled": _Compiled(), "checked_at": -math.inf}


def _active_rows() -> RuleRows:
    rows = IpRule.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())).values_list(
        "network", "expires_at"
    )
    return tuple(sorted((network, expires.timestamp() if expires else math.inf) for network, expires in rows))


def _compile(rows: RuleRows) -> _Compiled:
    compiled = _Compiled(rows=rows)
    for text, expires in rows:
        network = ipaddress.ip_network(text, strict=False)
        bits = network.max_prefixlen - network.prefixlen
        by_prefix = compiled.index[network.version].setdefault(network.prefixlen, {})
        number = int(network.network_address) >> bits
        by_prefix[number] = max(by_prefix.get(number, 0.0), expires)
    return compiled


def rules_changed() -> None:
    """Call after any rule changes: every process recompiles within the refresh interval
    (this one at once)."""
    cache_bump(RULES_CACHE_SCOPE)
    _state["checked_at"] = -math.inf


def _current() -> _Compiled:
    now = time.monotonic()
    compiled = _state["compiled"]
    assert isinstance(compiled, _Compiled)
    if now - float(_state["checked_at"]) < settings.NEXUS_IP_RULES_REFRESH_SECONDS:  # type: ignore[arg-type]
        return compiled
    try:
        rows = cache_get_or_compute(RULES_CACHE_SCOPE, "active", compute=_active_rows, timeout=300)
    except DatabaseError:
        # The database is down: keep checking the rules compiled last (fail open for new
        # ones) rather than fail every request; try again after the refresh interval.
        logger.warning("IP rules could not be read; the ones compiled last still apply", exc_info=True)
        _state["checked_at"] = now
        return compiled
    with _lock:
        if rows != compiled.rows:
            compiled = _compile(rows)
            _state["compiled"] = compiled
        _state["checked_at"] = now
    return compiled


def address_blocked(address: str) -> bool:
    """Whether an active rule covers `address` (an unparsable address is never blocked)."""
    parsed = address_parse(address)
    if parsed is None:
        return False
    index = _current().index[parsed.version]
    if not index:
        return False
    number, width, now = int(parsed), parsed.max_prefixlen, time.time()
    for prefix, networks in index.items():
        expires = networks.get(number >> (width - prefix))
        if expires is not None and expires > now:
            return True
    return False


def rules_forget(*, checked: bool) -> None:
    """Drop the rules compiled in this process. `checked=True` counts the empty set as just
    read (the test suite starts each test so: rules from an earlier test's rolled-back rows
    are gone, and a test without a database never reads them)."""
    with _lock:
        _state["compiled"] = _Compiled()
        _state["checked_at"] = time.monotonic() if checked else -math.inf
