"""The PostgreSQL backend checks a reused connection only after it sat idle: a connection
that died while idle is replaced before the request uses it; one used a moment ago is
trusted, and if it died in that moment the request fails once and the next one reconnects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError, connection, connections

from nexus.core.db.postgresql.base import HEALTH_CHECK_IDLE_SECONDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker() -> Iterator[Any]:
    """A connection of its own, as a web worker holds one across requests."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (services column)")
    wrapper = connections.create_connection("default")
    yield wrapper
    wrapper.close()


def backend_pid(wrapper: Any) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def server_drops(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_it_is_our_backend_with_health_checks_on(worker: Any) -> None:
    assert worker.settings_dict["CONN_HEALTH_CHECKS"]
    assert type(worker).__module__ == "nexus.core.db.postgresql.base"


def test_a_connection_that_died_while_idle_is_replaced_before_the_request_uses_it(worker: Any) -> None:
    first = backend_pid(worker)
    worker.used_at -= HEALTH_CHECK_IDLE_SECONDS + 1  # as if the worker had no request for a while
    server_drops(first)
    worker.close_if_unusable_or_obsolete()  # the next request starts
    assert backend_pid(worker) != first


def test_a_connection_used_a_moment_ago_is_not_checked(worker: Any) -> None:
    first = backend_pid(worker)
    server_drops(first)
    worker.close_if_unusable_or_obsolete()  # the next request, a moment later
    with pytest.raises((OperationalError, InterfaceError)):
        backend_pid(worker)
    worker.close_if_unusable_or_obsolete()  # that request ends: Django drops the broken connection
    assert backend_pid(worker) != first
