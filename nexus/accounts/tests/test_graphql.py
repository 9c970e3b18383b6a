"""The GraphQL face of accounts, through /graphql/."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ME = "{ me { username email roles profile { displayName track } } }"


def test_me_is_null_when_anonymous(graphql_client: Any) -> None:
    assert graphql_client(ME) == {"data": {"me": None}}


def test_me_with_a_bearer_token(graphql_client: Any, mentor: Any) -> None:
    result = graphql_client(ME, user=mentor)
    assert result["data"]["me"] == {
        "username": "mentor",
        "email": "mentor@example.org",
        "roles": ["mentor"],
        "profile": {"displayName": "", "track": "backend"},
    }


def test_user_by_username(graphql_client: Any, member: Any) -> None:
    result = graphql_client('{ user(username: "member") { username profile { track } } }')
    assert result == {"data": {"user": {"username": "member", "profile": {"track": "frontend"}}}}


def test_unknown_user_has_a_code(graphql_client: Any) -> None:
    result = graphql_client('{ user(username: "ghost") { username } }')
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "user_not_found"


UPDATE = "mutation($input: ProfileUpdateInput!) { updateProfile(input: $input) { profile { bio github } } }"


def test_update_profile(graphql_client: Any, owner: Any) -> None:
    result = graphql_client(UPDATE, {"input": {"bio": "Queues!", "github": "olive-o"}}, user=owner)
    assert result == {"data": {"updateProfile": {"profile": {"bio": "Queues!", "github": "olive-o"}}}}


def test_update_profile_needs_a_user(graphql_client: Any) -> None:
    result = graphql_client(UPDATE, {"input": {"bio": "x"}})
    assert result["errors"][0]["extensions"]["code"] == "not_authenticated"


def test_update_profile_reports_invalid_fields(graphql_client: Any, owner: Any) -> None:
    result = graphql_client(UPDATE, {"input": {"bio": "kept?", "track": "design"}}, user=owner)
    assert result["errors"][0]["extensions"] == {
        "code": "invalid",
        "details": {"track": ["Value 'design' is not a valid choice."]},
    }
    assert graphql_client("{ me { profile { bio } } }", user=owner)["data"]["me"]["profile"]["bio"] == ""


def test_a_session_post_without_csrf_token_is_refused(owner: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post("/graphql/", json.dumps({"query": ME}), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"


def test_a_session_post_with_csrf_token_works(owner: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get("/")  # sets the CSRF cookie, as the page would
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/graphql/", json.dumps({"query": ME}), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200
    assert response.json()["data"]["me"]["username"] == "owner"


def test_a_bad_bearer_token_is_401() -> None:
    response = Client().post(
        "/graphql/", json.dumps({"query": ME}), content_type="application/json", HTTP_AUTHORIZATION="Bearer nope"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"
