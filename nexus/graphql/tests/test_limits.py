"""Depth, alias and token limits refuse a query before it executes; introspection can be off."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.graphql.schema import _parse, build_schema


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


# --- Query cost ---------------------------------------------------------------------------------


def test_a_query_costs_the_objects_it_can_resolve() -> None:
    from graphql import parse

    from nexus.graphql.cost import query_cost

    assert query_cost(parse("{ me { username } }"), {}) == 2
    listed = parse("query($n: Int!) { entries(limit: $n) { title author { username } } }")
    assert query_cost(listed, {"n": 100}) == 1 + 100 * 3
    assert query_cost(listed, {"n": 10**9}) == 1 + 100 * 3  # clamped like the list itself
    assert query_cost(listed, {"n": "many"}) == 1 + 3
    spread = parse("{ ...a } fragment a on Query { me { username ...a } }")
    assert query_cost(spread, {}) == 2  # a fragment spreading itself is counted once, not forever
    named = parse("query A { me { username } } query B { entries(limit: 5) { title } }")
    assert (query_cost(named, {}, "A"), query_cost(named, {}, "B")) == (2, 6)


@pytest.mark.django_db
def test_a_client_over_its_cost_budget_gets_429_before_anything_runs(
    api_client: Any, settings: Any, owner: Any
) -> None:
    import json

    from conftest import bearer, inside_fixed_windows

    settings.NEXUS_RATE_GRAPHQL_COST = "700/m"
    inside_fixed_windows("127.0.0.1", periods=(60,))
    query = json.dumps({"query": "{ entries(limit: 100) { title author { username } } }"})  # 301 each
    post = lambda **headers: api_client.post("/graphql/", query, content_type="application/json", **headers)  # noqa: E731
    assert [post().status_code for _ in range(2)] == [200, 200]
    with CaptureQueriesContext(connection) as queries:
        refused = post()
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "rate_limited"
    assert error["extensions"]["details"]["cost"] == 301
    assert "budget (700/m) is spent" in error["message"]
    assert len(queries) == 0  # refused before execution
    # A signed-in client has a budget of its own, not its network's.
    assert post(**bearer(owner)).status_code == 200


@pytest.mark.django_db
def test_a_query_text_is_parsed_once_and_its_verdict_holds_every_time(settings: Any, owner: Any) -> None:
    settings.GRAPHQL_MAX_DEPTH = 1
    schema = build_schema()
    deep = '{ once: user(username: "owner") { profile { displayName } } }'  # a text no other test sends
    parsed = _parse.cache_info().misses
    for _ in range(2):  # the second answer comes from the cached parse and validation
        errors = schema.execute_sync(deep).errors
        assert errors is not None
        assert errors[0].extensions == {"code": "graphql_validation_failed"}
    assert _parse.cache_info().misses == parsed + 1  # parsed once
    for _ in range(2):
        assert schema.execute_sync('{ user(username: "owner") { username } }').errors is None
        broken = schema.execute_sync("{ user(username: ").errors
        assert broken is not None
        assert broken[0].extensions == {"code": "graphql_syntax_error"}


def test_no_extension_wraps_every_field() -> None:
    # A `resolve` hook on any schema extension makes graphql-core wrap each field of every
    # response (QuerysetOptimizer says why the optimizer needs none).
    from nexus.graphql.schema import schema

    instances = [extension() for extension in schema.extensions]
    assert [type(e).__name__ for e in instances if type(e)._implements_resolve()] == []
