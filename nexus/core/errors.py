"""Errors are data: every failure a person can act on is a NexusError.

REST maps it once (nexus.api.errors) to `{"error": {"code", "message", "details"}}` and
GraphQL once (nexus.graphql.errors) to `extensions.code`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class NexusError(Exception):
    """A failure with a stable machine code, a message for people and an HTTP status."""

    code = "error"
    status = 400
    message = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.details = details or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}

    def response_headers(self) -> dict[str, str] | None:
        """HTTP headers the answer carries: a refusal for a while (429 with
        `details.retry_after_seconds`) says for how long, as a throttle does."""
        wait = self.details.get("retry_after_seconds") if self.status == 429 else None
        return {"Retry-After": str(wait)} if wait is not None else None


class NotFound(NexusError):
    code = "not_found"
    status = 404
    message = "Not found."


class PermissionDenied(NexusError):
    code = "permission_denied"
    status = 403
    message = "You do not have permission to do this."


class InvalidInput(NexusError):
    code = "invalid"
    status = 400
    message = "Some fields are invalid."


class Conflict(NexusError):
    code = "conflict"
    status = 409
    message = "The resource changed since you read it."


class NotAuthenticated(NexusError):
    code = "not_authenticated"
    status = 401
    message = "Sign in to do this."


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """Django's ValidationError as {field: [messages]}, the shape of InvalidInput.details."""
    if hasattr(error, "error_dict"):
        return {name: [m for e in errors for m in e.messages] for name, errors in error.error_dict.items()}
    return {"non_field_errors": list(error.messages)}
