"""Cursor pagination: clamped page sizes, tampered cursors refused with 400."""

from __future__ import annotations

from typing import Any

import pytest

from nexus.accounts.tests.factories import UserFactory


def error_of(response: Any) -> dict[str, Any]:
    return response.json()["error"]


@pytest.mark.django_db
def test_tampered_cursor_is_400(api_client: Any) -> None:
    response = api_client.get("/api/v1/users", {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert list(error_of(response)["details"]) == ["cursor"]


@pytest.mark.django_db
def test_page_size_is_clamped_not_refused(api_client: Any) -> None:
    UserFactory.create_batch(103)
    response = api_client.get("/api/v1/users", {"page_size": 10_000})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 100
    assert response.json()["next"] is not None
    response = api_client.get("/api/v1/users", {"page_size": "lots"})
    assert len(response.json()["results"]) == 20
