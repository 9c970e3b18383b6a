"""Readiness checks of the services Nexus depends on; each returns None or a reason."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        return f"{type(error).__name__}: {error}"
    return None


def check_cache() -> str | None:
    # The cache fails open, so an outage shows as a value that does not come back.
    probe = uuid.uuid4().hex
    try:
        cache.set("readyz", probe, timeout=10)
        if cache.get("readyz") != probe:
            return "the cache did not return the value just written"
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {error}"
    return None


def check_broker() -> str | None:
    if settings.NEXUS_TASKS_MODE == "inline":
        return None  # tasks run in-process: there is no broker to wait for
    from nexus.celery import app

    try:
        with app.connection_for_write(connect_timeout=settings.NEXUS_BROKER_CONNECT_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.NEXUS_BROKER_CONNECT_TIMEOUT)
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {error}"
    return None


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def readiness(names: list[str] | None = None) -> dict[str, str]:
    """Each dependency's state: "ok" or the reason it failed (all of them by default)."""
    return {name: (check() or "ok") for name, check in CHECKS.items() if names is None or name in names}
