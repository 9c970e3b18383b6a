"""Redis down (services column): the limits and the lockout fail open, as documented, and
the site keeps serving; when Redis is back the limits apply again."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_behind_proxy(settings: Any, redis_url: str, tcp_proxy: Any) -> Any:
    proxy = tcp_proxy(redis_url)
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{proxy.port}/2"}}
    caches["default"].clear()
    return proxy


def test_limits_fail_open_while_redis_is_down(redis_behind_proxy: Any, settings: Any, owner: Any) -> None:
    settings.NEXUS_RATE_ANON_BURST = "3/10s"
    settings.NEXUS_LOCKOUT_ACCOUNT_FAILURES = 2
    client = Client()
    assert [client.get("/healthz").status_code for _ in range(4)] == [200, 200, 200, 429]
    redis_behind_proxy.stop()
    assert [client.get("/").status_code for _ in range(6)] == [200] * 6  # no counters: fail open
    for _ in range(3):
        client.post("/accounts/login/", {"username": "owner", "password": "wrong"})
    assert client.login(username="owner", password="a long enough password") is True  # no lock without Redis
    assert Client().get("/api/v1/users").status_code == 200
