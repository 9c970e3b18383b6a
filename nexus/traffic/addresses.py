"""Which address a request comes from, and the only forms of it Nexus keeps.

`client_address` is the one definition of the client's address: the socket's peer,
unless the peer is a configured trusted proxy, in which case `X-Forwarded-For` is read
from the right, skipping trusted proxies, and the first other address is the client.
A client can put anything in that header; only what our own proxies appended is believed.
Rate limits (middleware and DRF throttles), IP rules, the request log and the audit trail
all use it.

What is stored is never the address itself: the network it belongs to (IPv4 /24, IPv6
/48), a keyed hash of the full address whose key changes every day (so repeat visits are
countable within a day and unlinkable after), and the country from an offline database.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import logging
from datetime import date
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# A forwarded chain longer than this is a header flood: only its last hops are read.
MAX_FORWARDED_HOPS = 16
_MAX_ADDRESS_TEXT = 64  # the longest IPv6 text with a zone is 45 + a short zone
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 (a placeholder for a missing peer, never bound)


def address_parse(value: Any) -> IPAddress | None:
    """An address from text, or None when it is not one. IPv4-mapped IPv6 (::ffff:a.b.c.d)
    is the IPv4 address it maps; zone ids and ports are not accepted."""
    if not isinstance(value, str) or not value or len(value) > _MAX_ADDRESS_TEXT:
        return None
    return _address_parse_text(value)


# Every request parses its client's address several times (the proxy chain, the IP rules,
# the stored network); the same few addresses come back request after request.
@functools.lru_cache(maxsize=4096)
def _address_parse_text(value: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return None
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
    return address


def network_parse(value: Any) -> IPNetwork | None:
    """A network (an address or a CIDR range) from text, host bits cleared; None when invalid."""
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_ADDRESS_TEXT + 4:
        return None
    text = value.strip()
    single = address_parse(text)
    if single is not None:
        return ipaddress.ip_network(single)
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


@functools.cache
def _trusted(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    networks = []
    for proxy in proxies:
        network = network_parse(proxy)
        if network is None:
            logger.error("NEXUS_TRUSTED_PROXIES: %r is not an address or CIDR range; ignored", proxy)
            continue
        networks.append(network)
    return tuple(networks)


def trusted_proxies() -> tuple[IPNetwork, ...]:
    """The configured proxy networks (NEXUS_TRUSTED_PROXIES), parsed once per value."""
    return _trusted(tuple(settings.NEXUS_TRUSTED_PROXIES))


def _is_trusted(address: IPAddress, proxies: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def client_address_of(peer: str | None, forwarded_for: str | None) -> str:
    """The client's address from the socket peer and the X-Forwarded-For header."""
    address = address_parse(peer)
    if address is None:
        return UNKNOWN_ADDRESS
    proxies = trusted_proxies()
    if not forwarded_for or not proxies or not _is_trusted(address, proxies):
        return str(address)
    limit = MAX_FORWARDED_HOPS * 48
    hops = forwarded_for[-limit:].split(",")
    if len(forwarded_for) > limit:
        hops = hops[1:]  # the first one was cut in the middle
    hops = hops[-MAX_FORWARDED_HOPS:]
    for hop in reversed(hops):
        candidate = address_parse(hop)
        if candidate is None:
            # Garbage where an address should be: trust stops at the last proxy we know.
            break
        address = candidate
        if not _is_trusted(candidate, proxies):
            break
    return str(address)


def client_address(request: Any) -> str:
    """The address of the client that sent `request` (computed once per request)."""
    cached = getattr(request, "_nexus_client_address", None)
    if cached is not None:
        return cached
    meta = request.META
    address = client_address_of(meta.get("REMOTE_ADDR"), meta.get("HTTP_X_FORWARDED_FOR"))
    request._nexus_client_address = address
    return address


@functools.lru_cache(maxsize=4096)
def address_network(address: str) -> str:
    """The network stored instead of the address: IPv4 /24, IPv6 /48."""
    parsed = address_parse(address)
    if parsed is None:
        return ""
    prefix = 24 if parsed.version == 4 else 48
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))


@functools.lru_cache(maxsize=4)
def _day_key(secret: str, day: date) -> bytes:
    # Derived, never stored: yesterday's key cannot be read back from anything kept.
    return hashlib.sha256(f"nexus.traffic.address:{day.isoformat()}:{secret}".encode()).digest()


def address_hash(address: str, day: date) -> str:
    """A keyed hash of the full address with the key of `day`: equal for the same address
    on the same day, unrelated across days."""
    return _address_hash(settings.SECRET_KEY, address, day)


# An HMAC per request was the request log's largest cost after the write itself; the same
# clients come back all day. Held in process memory only, like the address it came from.
@functools.lru_cache(maxsize=4096)
def _address_hash(secret: str, address: str, day: date) -> str:
    return hmac.new(_day_key(secret, day), address.encode(), hashlib.sha256).hexdigest()[:32]


@functools.cache
def _geoip() -> Any:
    from geoip2fast import GeoIP2Fast

    # The IPv6 file holds both families; it ships in the package (no network lookup).
    return GeoIP2Fast(geoip2fast_data_file="geoip2fast-ipv6.dat.gz", verbose=False)


@functools.lru_cache(maxsize=4096)
def address_country(address: str) -> str:
    """The ISO country code of a public address, or "" (private, reserved or unknown)."""
    try:
        code = _geoip().lookup(address).country_code
    except Exception:  # a broken data file must not break requests
        logger.warning("Country lookup failed for an address", exc_info=True)
        return ""
    return code if isinstance(code, str) and len(code) == 2 and code.isalpha() else ""
