"""Anonymous clients are held to the anon rate, signed-in ones to the user rate; 429s
carry Retry-After and the error format."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from conftest import bearer
from nexus.api.throttles import SignedInRateThrottle


@pytest.fixture
def rates(monkeypatch: Any) -> None:
    # DRF reads the rates once at import; patch the class attribute the throttles read.
    monkeypatch.setattr(
        SignedInRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "user": "5/min"}
    )
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/min"})


@pytest.mark.django_db
def test_anonymous_clients_get_the_anon_rate_and_a_retry_after(api_client: Any, owner: Any, rates: None) -> None:
    statuses = [api_client.get("/api/v1/users/owner").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api_client.get("/api/v1/users/owner")
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "throttled"
    assert refused.json()["error"]["details"]["retry_after_seconds"] > 0


@pytest.mark.django_db
def test_signed_in_users_get_the_user_rate(api_client: Any, owner: Any, rates: None) -> None:
    statuses = [api_client.get("/api/v1/me", **bearer(owner)).status_code for _ in range(6)]
    assert statuses == [200, 200, 200, 200, 200, 429]
