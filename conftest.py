"""Fixtures every test can use: clients for the three faces, the standard cast of users,
the browser, and switches between the embedded default and the services column."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

# Playwright's sync API keeps an event loop in the test thread; Django would otherwise
# refuse ORM calls from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from nexus.accounts.roles import Role
from nexus.accounts.tests.factories import UserFactory
from nexus.testing.tcp_proxy import TcpProxy

REQUIRE_SERVICES = os.environ.get("NEXUS_REQUIRE_SERVICES") == "1"
REQUIRE_BROWSER = os.environ.get("NEXUS_REQUIRE_BROWSER") == "1"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def pytest_report_header(config: pytest.Config) -> str:
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"nexus column: database={database} cache={cache} tasks={settings.NEXUS_TASKS_MODE}"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Throttle counters and cached reads must not leak from one test into the next.
    from django.core.cache import cache, caches

    from nexus.traffic.rules import rules_forget

    cache.clear()
    # Fragment keys hold an entry's id and version, which a later test's entry may repeat.
    caches["fragments"].clear()
    # Nor IP rules compiled from an earlier test's rows; a test that writes rules reloads them.
    rules_forget(checked=True)


# --- Fixed rate-limit windows --------------------------------------------------------------


def inside_fixed_windows(*keys: str, periods: tuple[int, ...] = (10, 60), margin: float = 3.0) -> None:
    """Sleep until every fixed window the limits count `keys` in has `margin` seconds left.

    django-ratelimit's windows are fixed and staggered per key (crc32 of the key), so a
    test that exhausts a limit must not straddle a window's end, or the count starts again
    halfway (CI saw six requests pass a limit of five at 42.994 s and 43.001 s)."""
    from django_ratelimit.core import _get_window

    while True:
        # A window named w holds the whole seconds up to w: it ends at w + 1.
        left = min(_get_window(key, period) + 1 - time.time() for key in keys for period in periods)
        if left >= margin:
            return
        time.sleep(left + 0.05)


@pytest.fixture
def fresh_address_windows() -> None:
    """The test client's address (127.0.0.1) starts inside its 10 s and minute windows."""
    inside_fixed_windows("127.0.0.1")


# --- Clients for the three faces ---------------------------------------------------------


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def bearer(user: Any) -> dict[str, str]:
    """The Authorization header of a fresh JWT for `user`."""
    from rest_framework_simplejwt.tokens import RefreshToken

    return {"HTTP_AUTHORIZATION": f"Bearer {RefreshToken.for_user(user).access_token}"}


class GraphQLClient:
    def __init__(self, client: APIClient) -> None:
        self.client = client

    def __call__(self, query: str, variables: dict[str, Any] | None = None, *, user: Any = None) -> dict[str, Any]:
        headers = bearer(user) if user is not None else {}
        response = self.client.post(
            "/graphql/",
            json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 200, response.content
        return response.json()


@pytest.fixture
def graphql_client(api_client: APIClient) -> GraphQLClient:
    return GraphQLClient(api_client)


# --- The cast: owner, member, outsider, mentor, admin -----------------------------------------


@pytest.fixture
def owner(db: None) -> Any:
    return UserFactory(username="owner", profile__display_name="Olive Owner")


@pytest.fixture
def member(db: None) -> Any:
    return UserFactory(username="member", profile__track="frontend")


@pytest.fixture
def outsider(db: None) -> Any:
    return UserFactory(username="outsider")


@pytest.fixture
def mentor(db: None) -> Any:
    return UserFactory(username="mentor", roles=[Role.MENTOR])


@pytest.fixture
def admin_user(db: None) -> Any:
    return UserFactory(username="admin", roles=[Role.ADMIN])


# --- Services column ---------------------------------------------------------------------


def _require_or_skip(condition: bool, reason: str) -> None:
    if not condition:
        pytest.skip(reason)


@pytest.fixture
def celery_mode() -> None:
    """Skip outside the services column (the embedded default has no broker)."""
    _require_or_skip(settings.NEXUS_TASKS_MODE == "celery", "needs a RabbitMQ broker (services column)")


@pytest.fixture
def redis_url() -> str:
    url = settings.REDIS_URL
    _require_or_skip(bool(url), "needs Redis (services column)")
    return url


@pytest.fixture
def tcp_proxy() -> Iterator[Any]:
    """Factory: `tcp_proxy(url)` returns a started proxy in front of the service at url."""
    proxies: list[TcpProxy] = []

    def start(url: str) -> TcpProxy:
        parts = urlsplit(url)
        proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 0).start()
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.stop()


@pytest.fixture
def broker_proxy(settings: Any, tcp_proxy: Any) -> Iterator[TcpProxy]:
    """A proxy in front of RabbitMQ for what this process publishes (the worker keeps the
    real broker): stop it and RabbitMQ is "down" for the web side, start it and it is back.
    Celery caches its publishing connections, so they are dropped on the way in and out:
    a pool left pointing at an earlier test's proxy refuses every publish."""
    from nexus.celery import app

    def fresh_pools() -> None:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    proxy = tcp_proxy(settings.CELERY_BROKER_URL)
    fresh_pools()
    app.conf.broker_write_url = app.conf.broker_url.replace(f":{proxy.target[1]}/", f":{proxy.port}/")
    yield proxy
    app.conf.broker_write_url = None
    fresh_pools()


# --- Browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        if REQUIRE_BROWSER:
            pytest.fail(f"NEXUS_REQUIRE_BROWSER=1 but Chromium is not installed at {CHROMIUM}.")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
