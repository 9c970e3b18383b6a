"""Depth, alias and token limits refuse a query before it executes; introspection can be off."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.graphql.schema import build_schema


def codes(result: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in result.get("errors", [])]


@pytest.mark.django_db
def test_too_deep_is_refused_before_execution(settings: Any, owner: Any) -> None:
    settings.GRAPHQL_MAX_DEPTH = 1
    schema = build_schema()
    with CaptureQueriesContext(connection) as queries:
        result = schema.execute_sync('{ user(username: "owner") { profile { displayName } } }')
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "graphql_validation_failed"}
    assert "exceeds maximum operation depth of 1" in result.errors[0].message
    assert len(queries) == 0  # refused before anything executed
    settings.GRAPHQL_MAX_DEPTH = 2
    assert build_schema().execute_sync('{ user(username: "owner") { profile { displayName } } }').errors is None


@pytest.mark.django_db
def test_too_many_aliases_is_refused(graphql_client: Any, settings: Any) -> None:
    aliases = " ".join(f"a{i}: me {{ username }}" for i in range(settings.GRAPHQL_MAX_ALIASES + 1))
    result = graphql_client("{ " + aliases + " }")
    assert codes(result) == ["graphql_validation_failed"]
    assert "aliases" in result["errors"][0]["message"]


@pytest.mark.django_db
def test_too_many_tokens_is_refused(graphql_client: Any, settings: Any) -> None:
    fields = " ".join("username" for _ in range(settings.GRAPHQL_MAX_TOKENS + 1))
    result = graphql_client("{ me { " + fields + " } }")
    assert codes(result) == ["graphql_syntax_error"]


@pytest.mark.django_db
def test_syntax_error_has_a_code(graphql_client: Any) -> None:
    assert codes(graphql_client("{ me { username ")) == ["graphql_syntax_error"]


@pytest.mark.django_db
def test_introspection_can_be_switched_off() -> None:
    closed = build_schema(introspection=False)
    assert closed.execute_sync("{ __schema { queryType { name } } }").errors
    opened = build_schema(introspection=True)
    assert opened.execute_sync("{ __schema { queryType { name } } }").data == {
        "__schema": {"queryType": {"name": "Query"}}
    }
