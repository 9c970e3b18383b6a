"""Maps every failure raised in a REST view to the one error format.

`{"error": {"code": ..., "message": ..., "details": {...}}}` with the right status; the
OpenAPI document describes it as `Error`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from nexus.core.errors import NexusError, field_errors
from nexus.core.http import error_body

# DRF's own codes, renamed where the default says less than it could.
_CODES = {"parse_error": "malformed_request", "not_found": "not_found"}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NexusError):
        return Response(
            error_body(exc.code, exc.message, exc.details), status=exc.status, headers=exc.response_headers()
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("request_too_large", "The request body is larger than this server accepts."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TokenError):
        # Raised by simplejwt serializers used outside its own views (e.g. logout).
        exc = InvalidToken({"detail": str(exc), "code": "token_not_valid"})
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=field_errors(exc))

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 handler logs it and answers in the same format
    assert isinstance(exc, exceptions.APIException)
    response.data = error_body(*_code_and_message(exc), details=_details(exc))
    return response


def _code_and_message(exc: exceptions.APIException) -> tuple[str, str]:
    if isinstance(exc, exceptions.ValidationError):
        fields = sorted(exc.detail) if isinstance(exc.detail, dict) else []
        fields = [name for name in fields if name != "non_field_errors"]
        message = f"Some fields are invalid: {', '.join(fields)}." if fields else _first_message(exc.detail)
        return "invalid", message
    detail = exc.detail
    if isinstance(detail, dict) and "detail" in detail:
        # simplejwt puts its own code beside the message (e.g. token_not_valid).
        return str(detail.get("code", exc.default_code)), str(detail["detail"])
    code = getattr(detail, "code", None) or exc.default_code
    return _CODES.get(str(code), str(code)), str(detail)


def _details(exc: exceptions.APIException) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        return detail if isinstance(detail, dict) else {"non_field_errors": detail}  # type: ignore[return-value]
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        return {"retry_after_seconds": int(wait)}
    return {}


def _first_message(detail: Any) -> str:
    while isinstance(detail, list | dict):
        if not detail:
            return "The request is invalid."
        detail = detail[0] if isinstance(detail, list) else next(iter(detail.values()))
    return str(detail)
