"""REST, GraphQL and pages of search: the same selector, formatted three ways."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.knowledge.models import EntryKind, EntryStatus
from nexus.knowledge.tests.factories import make_entry
from nexus.search.models import ZeroResultQuery

pytestmark = pytest.mark.django_db


def test_rest_search_shape(api_client: Any, owner: Any) -> None:
    entry = make_entry(owner, title="Retry with backoff", body="Celery retries a task with `countdown`.\n", week=2)
    response = api_client.get("/api/v1/search", {"q": "countdown"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["total"], data["total_label"], data["degraded"]) == (1, "1", False), data["results"]
    hit = data["results"][0]
    assert hit["type"] == "entry"
    assert hit["title"] == "Retry with backoff"
    assert hit["url"] == f"/h/owner/{entry.slug}/"
    assert "<mark>" in hit["snippet_html"]
    assert hit["entry"]["id"] == entry.pk
    assert hit["entry"]["week"] == 2
    assert data["facets"]["author"] == [{"value": "owner", "label": "owner", "count": 1}]
    assert data["next_page"] is None


def test_rest_filters_as_parameters(api_client: Any, owner: Any) -> None:
    make_entry(owner, title="Queue challenge", kind=EntryKind.CHALLENGE, problem="A queue.")
    make_entry(owner, title="Queue concept", kind=EntryKind.CONCEPT, body="A queue.\n")
    data = api_client.get("/api/v1/search", {"q": "queue", "kind": "challenge"}).json()
    assert [hit["title"] for hit in data["results"]] == ["Queue challenge"]
    assert api_client.get("/api/v1/search", {"q": "queue", "kind": "a b"}).status_code == 400


def test_rest_degraded_and_did_you_mean(api_client: Any, owner: Any) -> None:
    make_entry(owner, title="Pagination with cursors")
    data = api_client.get("/api/v1/search", {"q": 'paginaton "unclosed'}).json()
    assert data["degraded"] is True
    assert "quote" in data["messages"][0]
    assert data["did_you_mean"] is not None
    assert "pagination" in data["did_you_mean"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"q": ""}, 400, "search_query_empty"),
        ({}, 400, "search_query_empty"),
        ({"q": "x" * 10_240}, 400, "search_query_too_long"),
        ({"q": "redis", "page": "abc"}, 400, "search_invalid"),
        ({"q": '&|!:*()"NEAR'}, 200, None),
        ({"q": "NEAR/3 AND OR NOT ~ ^ $ {a}"}, 200, None),
        ({"q": "a\x00b"}, 200, None),
        ({"q": "unknown:filter words"}, 200, None),
        ({"q": "redis", "page": str(10**9)}, 200, None),
        ({"q": "redis", "page": "-5", "page_size": "100000"}, 200, None),
        ({"q": "status:draft"}, 200, None),
    ],
)
def test_rest_bad_input_is_never_a_500(
    api_client: Any, owner: Any, params: dict[str, str], status: int, code: Any
) -> None:
    make_entry(owner, title="Redis notes")
    response = api_client.get("/api/v1/search", params)
    assert response.status_code == status, response.content
    if code:
        assert response.json()["error"]["code"] == code
        assert response.json()["error"]["message"]


def test_rest_invalid_utf8_in_the_query_string(client: Any, owner: Any) -> None:
    make_entry(owner, title="Redis notes")
    response = client.get("/api/v1/search", QUERY_STRING="q=%ff%fe%80redis")
    assert response.status_code == 200
    assert "Redis notes" in [hit["title"] for hit in response.json()["results"]]


def test_rest_page_size_is_clamped(api_client: Any, owner: Any) -> None:
    make_entry(owner, title="Redis notes")
    data = api_client.get("/api/v1/search", {"q": "redis", "page_size": "100000", "page": "-5"}).json()
    assert data["page_size"] == 50
    assert data["page"] == 1


def _count_queries(client: Any, path: str, params: dict[str, str]) -> int:
    client.get(path, params)  # the vocabulary is cached on the first search
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
        assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("path", ["/api/v1/search", "/search/"])
def test_query_count_does_not_grow_with_results(api_client: Any, owner: Any, member: Any, path: str) -> None:
    for i in range(10):
        make_entry(owner if i % 2 else member, title=f"Caching note {i}", topics=["caching"], technologies=["redis"])
    params = {"q": "caching note", "page_size": "50"} if path.startswith("/api") else {"q": "caching note"}
    ten = _count_queries(api_client, path, params)
    for i in range(10, 100):
        make_entry(owner if i % 2 else member, title=f"Caching note {i}", topics=["caching"], technologies=["redis"])
    assert _count_queries(api_client, path, params) == ten


def test_graphql_search_query_count(graphql_client: Any, owner: Any) -> None:
    query = """query($q: String!) { search(q: $q, pageSize: 50) { total totalLabel degraded didYouMean
        facets { kind { value count } } results { type id title snippetHtml url kind author topics technologies } } }"""
    for i in range(10):
        make_entry(owner, title=f"Zephyr note {i}", technologies=["rabbitmq"])
    graphql_client(query, {"q": "zephyr"})  # the vocabulary is cached on the first search
    with CaptureQueriesContext(connection) as ten:
        data = graphql_client(query, {"q": "zephyr"})
    assert data["data"]["search"]["total"] == 10
    assert data["data"]["search"]["results"][0]["technologies"] == ["rabbitmq"]
    for i in range(10, 100):
        make_entry(owner, title=f"Zephyr note {i}", technologies=["rabbitmq"])
    with CaptureQueriesContext(connection) as hundred:
        data = graphql_client(query, {"q": "zephyr"})
    assert len(data["data"]["search"]["results"]) == 50
    assert len(hundred) == len(ten), [q["sql"][:150] for q in hundred.captured_queries]


def test_graphql_errors_and_drafts(graphql_client: Any, owner: Any, member: Any) -> None:
    make_entry(owner, title="Hidden draft on sharding", status=EntryStatus.DRAFT)
    query = "query($q: String!) { search(q: $q) { total results { title } } }"
    assert graphql_client(query, {"q": "sharding"}, user=member)["data"]["search"]["total"] == 0
    assert graphql_client(query, {"q": "sharding"}, user=owner)["data"]["search"]["total"] == 1
    error = graphql_client(query, {"q": "x" * 10_000})["errors"][0]
    assert error["extensions"]["code"] == "search_query_too_long"


def test_zero_result_queries_are_recorded_for_mentors(api_client: Any, client: Any, owner: Any, mentor: Any) -> None:
    make_entry(owner, title="Anything at all")
    api_client.get("/api/v1/search", {"q": "Kubernetes  operators"})
    api_client.get("/api/v1/search", {"q": "kubernetes operators"})
    assert list(ZeroResultQuery.objects.values_list("query", "count")) == [("kubernetes operators", 2)]
    counted = ZeroResultQuery.objects.get()
    assert counted.first_seen <= counted.last_seen
    assert api_client.get("/api/v1/search/zero-results").status_code == 404
    client.force_login(owner)
    assert client.get("/search/zero-results/").status_code == 404
    client.force_login(mentor)
    page = client.get("/search/zero-results/")
    assert page.status_code == 200
    assert "kubernetes operators" in page.content.decode()
    api_client.force_authenticate(mentor)
    assert api_client.get("/api/v1/search/zero-results").json()[0] == {
        **api_client.get("/api/v1/search/zero-results").json()[0],
        "query": "kubernetes operators",
        "count": 2,
    }


def test_search_page_and_htmx_partial(client: Any, owner: Any) -> None:
    make_entry(owner, title="Idempotency keys")
    page = client.get("/search/", {"q": "idempotency"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="search-q"' in html
    assert "<mark>Idempotency</mark>" in html
    partial = client.get("/search/", {"q": "idempot"}, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="search-q")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert "Idempotency</mark> keys" in partial.content.decode()
    assert not ZeroResultQuery.objects.exists()  # as-you-type prefixes are not recorded
    assert client.get("/search/", {"q": "x" * 10_000}).status_code == 400


def test_header_has_a_search_box_and_entry_pages_load_related(client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner, title="Caching the feed", technologies=["redis"])
    make_entry(member, title="Redis caching for polls", technologies=["redis"])
    page = client.get(f"/h/owner/{entry.slug}/").content.decode()
    assert 'id="site-search-q"' in page
    assert f"/search/related/{entry.pk}/" in page
    related = client.get(f"/search/related/{entry.pk}/").content.decode()
    assert "Redis caching for polls" in related
    assert client.get("/search/related/999999/").status_code == 404
