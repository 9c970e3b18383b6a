"""The /graphql/ endpoint: JWT for clients, sessions (with CSRF) for pages, GraphiQL."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed
from strawberry.django.views import GraphQLView

from nexus.accounts.authentication import BearerAuthentication
from nexus.core.errors import InvalidInput
from nexus.core.http import error_response
from nexus.graphql.schema import schema


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> str:  # type: ignore[override]
        return reason


@method_decorator(csrf_exempt, name="dispatch")
class NexusGraphQLView(GraphQLView):
    """A bearer token authenticates API clients; a session must also pass the CSRF check."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            authenticated = BearerAuthentication().authenticate(request)  # type: ignore[arg-type]
        except AuthenticationFailed as error:
            detail = error.detail if isinstance(error.detail, dict) else {"detail": error.detail}
            return error_response(request, code="token_not_valid", message=str(detail.get("detail")), status=401)
        if authenticated is not None:
            request.user = authenticated[0]  # type: ignore[assignment]
        elif request.method == "POST" and request.user.is_authenticated:
            # Cookies are ambient credentials: a session-authenticated POST needs the token.
            check = _CsrfCheck(lambda req: None)  # type: ignore[arg-type, return-value]
            check.process_request(request)
            reason = check.process_view(request, None, (), {})  # type: ignore[arg-type]
            if reason:
                return error_response(
                    request,
                    code="csrf_failed",
                    message="Send the X-CSRFToken header with session-authenticated GraphQL requests.",
                    status=403,
                    details={"reason": str(reason)},
                )
        if request.method == "POST" and "application/json" in (request.content_type or ""):
            try:
                # Strawberry's request adapter decodes the body without catching this (a 500).
                request.body.decode("utf-8")
            except UnicodeDecodeError:
                return error_response(
                    request,
                    code="malformed_request",
                    message="The request body is not valid JSON text: encode it as UTF-8.",
                    status=400,
                )
        return super().dispatch(request, *args, **kwargs)

    def create_response(self, response_data: Any, sub_response: HttpResponse) -> HttpResponseBase:
        response = super().create_response(response_data, sub_response)
        # A query over its cost budget was refused before it ran: say so as HTTP does.
        for error in (response_data.get("errors") or []) if isinstance(response_data, dict) else []:
            extensions = error.get("extensions") or {}
            if extensions.get("code") == "rate_limited":
                response.status_code = 429
                response["Retry-After"] = str(extensions["details"]["retry_after_seconds"])
                break
        return response

    def decode_json(self, data: str | bytes) -> object:
        # Strawberry answers JSON it cannot parse in plain text; raised here, the error
        # reaches ErrorResponseMiddleware and leaves in the house format. One parse only.
        try:
            return json.loads(data)
        except ValueError as error:
            raise InvalidInput(f"The request body is not valid JSON: {error}.", code="malformed_request") from error


def graphql_view() -> Any:
    return NexusGraphQLView.as_view(
        schema=schema,
        graphql_ide="graphiql" if settings.GRAPHQL_GRAPHIQL else None,
    )
