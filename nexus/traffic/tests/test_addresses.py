"""Which address is believed, and the only forms of it that are kept."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexus.traffic.addresses import (
    address_country,
    address_hash,
    address_network,
    address_parse,
    client_address_of,
    network_parse,
)


@pytest.fixture
def proxies(settings: Any) -> None:
    settings.NEXUS_TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48"]


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address_of("198.51.100.7", "1.2.3.4") == "198.51.100.7"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(proxies: None) -> None:
    assert client_address_of("198.51.100.7", "1.2.3.4, 10.0.0.5") == "198.51.100.7"


def test_from_a_trusted_proxy_the_first_untrusted_hop_from_the_right_is_the_client(proxies: None) -> None:
    # The client wrote "6.6.6.6" itself; our proxies appended 203.0.113.9 and 10.1.1.1.
    assert client_address_of("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.1.1.1") == "203.0.113.9"
    assert client_address_of("2001:db8:ffff::1", "2001:db8:1::5") == "2001:db8:1::5"


@pytest.mark.parametrize("header", ["not-an-ip", "203.0.113.9, <script>", "999.1.1.1", "1.2.3.4:80", "fe80::1%eth0"])
def test_garbage_in_the_chain_stops_trust_at_the_last_known_proxy(proxies: None, header: str) -> None:
    assert client_address_of("10.0.0.2", header) == "10.0.0.2"


def test_a_flooded_header_reads_only_the_last_hops(proxies: None) -> None:
    header = ", ".join(["10.9.9.9"] * 100_000) + ", 203.0.113.9"
    assert client_address_of("10.0.0.2", header) == "203.0.113.9"


def test_a_missing_or_broken_peer_is_a_placeholder() -> None:
    assert client_address_of(None, None) == "0.0.0.0"
    assert client_address_of("junk", None) == "0.0.0.0"


def test_ipv4_mapped_ipv6_is_the_ipv4_address() -> None:
    assert str(address_parse("::ffff:203.0.113.9")) == "203.0.113.9"


def test_networks_are_truncated_to_24_and_48_bits() -> None:
    assert address_network("203.0.113.77") == "203.0.113.0/24"
    assert address_network("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert address_network("garbage") == ""


def test_the_hash_is_stable_within_a_day_and_unlinkable_across_days() -> None:
    day, next_day = date(2026, 3, 1), date(2026, 3, 2)
    assert address_hash("203.0.113.7", day) == address_hash("203.0.113.7", day)
    assert address_hash("203.0.113.7", day) != address_hash("203.0.113.8", day)
    assert address_hash("203.0.113.7", day) != address_hash("203.0.113.7", next_day)
    assert "203" not in address_hash("203.0.113.7", day)


def test_countries_come_from_the_offline_database() -> None:
    assert address_country("8.8.8.8") == "US"
    assert address_country("2001:4860:4860::8888") == "US"
    assert address_country("127.0.0.1") == ""
    assert address_country("10.1.2.3") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("203.0.113.7", "203.0.113.7/32"),
        (" 203.0.113.0/24 ", "203.0.113.0/24"),
        ("203.0.113.9/24", "203.0.113.0/24"),
        ("2001:db8::/32", "2001:db8::/32"),
        ("300.1.1.1", None),
        ("203.0.113.0/33", None),
        ("", None),
        ("x" * 500, None),
        ("1.2.3.4/-1", None),
    ],
)
def test_network_parse(text: str, expected: str | None) -> None:
    parsed = network_parse(text)
    assert (str(parsed) if parsed else None) == expected


@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused_without_raising(text: str) -> None:
    address_parse(text)
    network_parse(text)
    client_address_of(text, text)
