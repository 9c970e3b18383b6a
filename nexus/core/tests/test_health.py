from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


def test_healthz_answers_without_touching_services() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_every_dependency() -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_readyz_can_be_limited_to_some_checks() -> None:
    response = Client().get("/readyz", {"checks": "database"})
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    bad = Client().get("/readyz", {"checks": "database,disk"})
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == "Unknown check disk; choose from database, cache, broker."


@pytest.mark.django_db
def test_readyz_is_503_naming_the_cache_when_redis_is_gone(settings: Any, redis_url: str, tcp_proxy: Any) -> None:
    proxy = tcp_proxy(redis_url)
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{proxy.port}/15"},
    }
    assert Client().get("/readyz").status_code == 200
    proxy.stop()
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] != "ok"
    # ...while the database-only probe a load balancer uses keeps the replica in.
    assert Client().get("/readyz", {"checks": "database"}).status_code == 200


@pytest.mark.django_db
def test_readyz_is_503_naming_the_broker_when_rabbitmq_is_gone(
    celery_mode: None, settings: Any, tcp_proxy: Any
) -> None:
    from nexus.celery import app

    proxy = tcp_proxy(settings.CELERY_BROKER_URL)
    proxy.stop()
    app.conf.broker_write_url = f"amqp://guest:guest@127.0.0.1:{proxy.port}//"
    try:
        response = Client().get("/readyz")
    finally:
        app.conf.broker_write_url = None
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] != "ok"
    assert response.json()["checks"]["database"] == "ok"
