from django.test import Client

from nexus.api.contract import OPENAPI_PATH, openapi_document


def test_committed_openapi_matches_the_code() -> None:
    assert OPENAPI_PATH.read_bytes() == openapi_document(), "OpenAPI drifted from the code: run `make schema`."


def test_schema_and_docs_are_served(db: None) -> None:
    client = Client()
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3.0.3" in schema.content
    assert b"/api/v1/auth/register" in schema.content
    for page in ("/api/docs/", "/api/redoc/"):
        response = client.get(page)
        assert response.status_code == 200
        assert b"/api/schema/" in response.content


def test_graphiql_is_served_to_browsers(db: None) -> None:
    response = Client().get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()


def test_cors_allows_configured_frontend_origins(db: None, settings: object) -> None:
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:5173"]  # type: ignore[attr-defined]
    response = Client().options(
        "/api/v1/users",
        HTTP_ORIGIN="http://localhost:5173",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response["Access-Control-Allow-Origin"] == "http://localhost:5173"
    other = Client().get("/api/v1/users", HTTP_ORIGIN="http://evil.example")
    assert "Access-Control-Allow-Origin" not in other
