"""Every response carries a request id, and every log line written while serving it too."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from django.test import Client
from pythonjsonlogger.json import JsonFormatter

from nexus.core.request_id import RequestIdLogFilter


@pytest.fixture
def json_log() -> Any:
    """The production formatter on the request logger, captured in memory."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdLogFilter())
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"))
    logger = logging.getLogger("nexus.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_a_request_id_is_made_and_logged_as_json(db: None, json_log: io.StringIO) -> None:
    response = Client().get("/api/v1/users/nobody")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    line = json.loads(json_log.getvalue().strip().splitlines()[-1])
    assert line["request_id"] == request_id
    assert line["status"] == 404
    assert line["method"] == "GET"
    assert line["route"] == "api/v1/users/<str:username>"
    assert isinstance(line["duration_ms"], float)


def test_a_safe_incoming_request_id_is_kept(db: None) -> None:
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="edge-proxy-1234")
    assert response["X-Request-ID"] == "edge-proxy-1234"


def test_a_hostile_incoming_request_id_is_replaced(db: None) -> None:
    response = Client().get("/healthz", HTTP_X_REQUEST_ID='x"\n{"level": "forged"}')
    assert response["X-Request-ID"] != 'x"\n{"level": "forged"}'
    assert len(response["X-Request-ID"]) == 32
