"""Versioned keys, invalidation by services, and a cache that fails open."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client

from nexus.core.cache import cache_bump, cache_get_many_or_compute, cache_get_or_compute, cache_key
from nexus.core.cache_log import CacheOutageLogFilter


def counter() -> Any:
    calls = {"n": 0}

    def compute() -> int:
        calls["n"] += 1
        return calls["n"]

    return calls, compute


def test_value_is_computed_once_then_served_from_the_cache() -> None:
    calls, compute = counter()
    assert cache_get_or_compute("things", 1, compute=compute) == 1
    assert cache_get_or_compute("things", 1, compute=compute) == 1
    assert calls["n"] == 1


def test_bumping_a_scope_invalidates_only_that_scope() -> None:
    _, compute = counter()
    cache_get_or_compute("things", 1, compute=compute)
    cache_get_or_compute("others", 1, compute=compute)
    cache_bump("things")
    assert cache_get_or_compute("things", 1, compute=compute) == 3
    assert cache_get_or_compute("others", 1, compute=compute) == 2


def test_long_keys_are_hashed_below_memcached_limit() -> None:
    key = cache_key("things", "x" * 500)
    assert len(key) < 250
    assert key.startswith("things:h:")


@pytest.fixture
def redis_behind_proxy(settings: Any, redis_url: str, tcp_proxy: Any) -> Any:
    proxy = tcp_proxy(redis_url)
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{proxy.port}/15"}}
    return proxy


def test_redis_down_computes_and_logs_a_warning(redis_behind_proxy: Any, caplog: Any) -> None:
    _, compute = counter()
    assert cache_get_or_compute("things", 1, compute=compute) == 1
    assert cache_get_or_compute("things", 1, compute=compute) == 1  # served by Redis

    redis_behind_proxy.stop()
    for log_filter in logging.getLogger("nexus.cache").filters:
        if isinstance(log_filter, CacheOutageLogFilter):
            log_filter.reset()  # an earlier test's outage may still be in its quiet interval
    with caplog.at_level(logging.WARNING, logger="nexus.cache"):
        assert cache_get_or_compute("things", 1, compute=compute) == 2
        cache_bump("things")
    warnings = [record for record in caplog.records if record.name == "nexus.cache"]
    assert [record.levelname for record in warnings] == ["WARNING"]


@pytest.mark.django_db
def test_redis_down_pages_and_api_keep_serving(redis_behind_proxy: Any, owner: Any) -> None:
    redis_behind_proxy.stop()
    client = Client()
    assert client.get("/api/v1/users/owner").status_code == 200  # throttles read the cache too
    assert client.get("/u/owner/").status_code == 200
    assert client.get("/").status_code == 200


def test_an_outage_logs_one_warning_per_interval_without_traceback() -> None:
    import sys

    outage = CacheOutageLogFilter(interval_seconds=60)
    records = []
    for _ in range(3):
        try:
            raise ConnectionError("Connection refused")
        except ConnectionError:
            record = logging.LogRecord(
                "nexus.cache", logging.ERROR, __file__, 1, "Exception ignored", (), sys.exc_info()
            )
        if outage.filter(record):
            records.append(record)
    assert len(records) == 1
    assert records[0].levelname == "WARNING"
    assert records[0].getMessage() == "Cache unavailable, serving without it: ConnectionError: Connection refused"
    assert records[0].exc_info is None


def test_a_key_moves_when_any_scope_it_depends_on_is_bumped() -> None:
    calls, compute = counter()
    assert cache_get_or_compute("entry:1", "rest", compute=compute, depends_on=("profiles",)) == 1
    assert cache_get_or_compute("entry:1", "rest", compute=compute, depends_on=("profiles",)) == 1
    cache_bump("profiles")
    assert cache_get_or_compute("entry:1", "rest", compute=compute, depends_on=("profiles",)) == 2
    cache_bump("entry:1")
    assert cache_get_or_compute("entry:1", "rest", compute=compute, depends_on=("profiles",)) == 3
    assert calls["n"] == 3


def test_many_values_are_read_together_and_only_the_misses_computed() -> None:
    computed: list[list[int]] = []

    def compute(missing: list[int]) -> dict[int, str]:
        computed.append(missing)
        return {n: f"value {n}" for n in missing if n != 4}  # 4 does not exist

    def items(*numbers: int) -> dict[int, tuple[str, str]]:
        return {n: (f"item:{n}", cache_key(f"item:{n}", "card")) for n in numbers}

    read = lambda *numbers: cache_get_many_or_compute(items(*numbers), compute=compute, depends_on=("names",))  # noqa: E731
    assert read(1, 2) == {1: "value 1", 2: "value 2"}
    assert read(1, 2, 3, 4) == {1: "value 1", 2: "value 2", 3: "value 3"}
    assert computed == [[1, 2], [3, 4]]
    cache_bump("item:2")
    assert read(1, 2, 3) == {1: "value 1", 2: "value 2", 3: "value 3"}
    assert computed[-1] == [2]
    cache_bump("names")
    read(1, 3)
    assert computed[-1] == [1, 3]


def test_a_local_value_is_kept_in_the_process_and_read_by_its_versions_only() -> None:
    from django.core.cache import cache

    calls, compute = counter()
    read = lambda: cache_get_or_compute("thread", 1, compute=compute, depends_on=("people",), local=True)  # noqa: E731
    assert read() == 1  # computed, and kept under the versions stored for it
    cache.delete(cache_key("thread", 1))  # the shared copy goes: the process still has it
    assert read() == 1
    cache_bump("people")  # a bump in any process reaches this one
    assert read() == 2
    assert read() == 2
    assert calls["n"] == 2


def test_a_local_value_is_not_served_once_the_shared_cache_lost_its_versions() -> None:
    from django.core.cache import cache

    _, compute = counter()
    read = lambda: cache_get_or_compute("thread", 1, compute=compute, local=True)  # noqa: E731
    assert read() == 1
    cache.clear()  # a restarted Redis: whatever changed meanwhile, no bump is left to tell
    assert read() == 2  # versions stored afresh, above every earlier one: no old copy matches
    assert read() == 2


def test_a_memo_is_the_same_object_until_its_scope_is_bumped_anywhere() -> None:
    from django.core.cache import cache

    from nexus.core.cache import cache_memo

    calls = {"n": 0}

    def compute() -> list[int]:
        calls["n"] += 1
        return [calls["n"]]

    first = cache_memo("vocabulary", compute)
    assert cache_memo("vocabulary", compute) is first  # kept as it is: nothing unpickled
    cache_bump("vocabulary")  # as another process's write would
    assert cache_memo("vocabulary", compute) == [2]
    cache.clear()  # a restarted Redis: the version is stored afresh, above the kept one
    assert cache_memo("vocabulary", compute) == [3]
    assert cache_memo("vocabulary", compute) == [3]
    assert calls["n"] == 3


def test_a_memo_is_computed_while_the_cache_is_down(redis_behind_proxy: Any) -> None:
    from nexus.core.cache import cache_memo

    _, compute = counter()
    redis_behind_proxy.stop()
    assert cache_memo("vocabulary", compute) == 1
    assert cache_memo("vocabulary", compute) == 2  # no version to keep it under: computed each time
