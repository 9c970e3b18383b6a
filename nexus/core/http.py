"""The one error response shape, chosen for the client: JSON for APIs, a page for people."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

_API_PREFIXES = ("/api/", "/graphql", "/healthz", "/readyz")


def wants_json(request: HttpRequest) -> bool:
    """API clients get JSON errors; browsers asking for HTML get a page."""
    if request.path.startswith(_API_PREFIXES):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(
    request: HttpRequest,
    *,
    code: str,
    message: str,
    status: int,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """An error in the house format, as JSON or as a page."""
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse(error_body(code, message, details), status=status)
    else:
        html = render_to_string(
            "core/error.html", {"status": status, "code": code, "message": message}, request=request
        )
        response = HttpResponse(html, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
