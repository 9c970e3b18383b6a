"""Bad input gets the one error format and a 4xx, on every face; never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


@pytest.mark.django_db
def test_malformed_json_is_400(api_client: Any) -> None:
    response = api_client.post("/api/v1/auth/register", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_request"


@pytest.mark.django_db
def test_unknown_fields_in_a_write_are_400(api_client: Any) -> None:
    body = {"username": "ann", "email": "ann@example.org", "password": "a long enough password", "admin": True}
    response = api_client.post("/api/v1/auth/register", body, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert error["message"] == "Some fields are invalid: admin."
    assert list(error["details"]) == ["admin"]


@pytest.mark.django_db
def test_json_that_is_not_an_object_is_400(api_client: Any) -> None:
    response = api_client.post("/api/v1/auth/register", "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


@pytest.mark.django_db
def test_oversized_body_is_413_before_it_is_read(api_client: Any, settings: Any) -> None:
    body = json.dumps({"username": "x" * (settings.NEXUS_MAX_BODY_BYTES + 1)})
    response = api_client.post("/api/v1/auth/register", body, content_type="application/json")
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "request_too_large"
    assert str(settings.NEXUS_MAX_BODY_BYTES) in error["message"]


def test_non_numeric_content_length_is_400() -> None:
    response = Client().generic("POST", "/api/v1/auth/register", b"{}", CONTENT_LENGTH="lots")
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_content_length"


@pytest.mark.django_db
def test_wrong_method_is_405(api_client: Any, owner: Any) -> None:
    from conftest import bearer

    response = api_client.put("/api/v1/me", {}, format="json", **bearer(owner))
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_unknown_api_path_is_404_json(db: None) -> None:
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert error_of(response) == {
        "code": "not_found",
        "message": "Nothing lives at /api/v1/no-such-thing.",
        "details": {},
    }


def test_unknown_page_is_404_html(db: None) -> None:
    response = Client().get("/no-such-page/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"Nothing lives at /no-such-page/." in response.content


@pytest.mark.django_db
def test_missing_csrf_token_on_a_page_form_is_a_403_page(owner: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post("/accounts/profile/", {"bio": "x"}, HTTP_ACCEPT="text/html")
    assert response.status_code == 403
    assert b"reload the page" in response.content


# Bytes that are no UTF-8 (0xff never occurs in it), inside otherwise well-formed JSON.
NOT_UTF8 = b'{"query": "{ topics { slug } }", "variables": {"x": "\xff\xfe\xfa"}}'


def test_graphql_body_that_is_not_utf8_is_400(db: None) -> None:
    response = Client().post("/graphql/", NOT_UTF8, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "malformed_request",
        "message": "The request body is not valid JSON text: encode it as UTF-8.",
        "details": {},
    }


def test_graphql_body_that_is_not_json_is_400_in_the_error_format(db: None) -> None:
    response = Client().post("/graphql/", b'{"query": "{ topics { slug } }"', content_type="application/json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "malformed_request"
    assert error["message"].startswith("The request body is not valid JSON: ")


@pytest.mark.django_db
def test_rest_body_that_is_not_utf8_is_400(api_client: Any, owner: Any) -> None:
    from conftest import bearer

    body = b'{"kind": "note", "title": "\xff\xfe"}'
    response = api_client.post("/api/v1/entries", body, content_type="application/json", **bearer(owner))
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "malformed_request",
        "message": "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 27: invalid start byte",
        "details": {},
    }
    assert api_client.get("/api/v1/entries", **bearer(owner)).json()["results"] == []
