"""Request plumbing every face shares: request ids and access lines, body limits, outages."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from nexus.core.errors import NexusError
from nexus.core.http import error_response
from nexus.core.request_id import request_id_from_header, request_id_reset, request_id_set
from nexus.core.request_memo import request_memo_scope

access_log = logging.getLogger("nexus.request")
logger = logging.getLogger(__name__)

GetResponse = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Tags the request with an id (X-Request-ID), opens its memo (core/request_memo.py)
    and writes one line when it ends."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.log_requests = settings.NEXUS_LOG_REQUESTS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from_header(request.headers.get("X-Request-ID"))
        token = request_id_set(request_id)
        started = time.perf_counter()
        try:
            with request_memo_scope():
                response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if self.log_requests:
                match = request.resolver_match
                user = getattr(request, "user", None)
                access_log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "route": match.route if match else None,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        "user_id": user.pk if user is not None and user.is_authenticated else None,
                    },
                )
            return response
        finally:
            request_id_reset(token)


class BodySizeLimitMiddleware:
    """Refuses bodies over NEXUS_MAX_BODY_BYTES with 413 before anything reads them."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.limit = settings.NEXUS_MAX_BODY_BYTES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(
                request, code="bad_content_length", message="Content-Length must be a number.", status=400
            )
        if length > self.limit:
            return error_response(
                request,
                code="request_too_large",
                message=f"The request body is {length} bytes; the limit is {self.limit} bytes.",
                status=413,
            )
        return self.get_response(request)


class ErrorResponseMiddleware:
    """Answers a NexusError raised by a page in the house format, and a database outage
    with 503 and Retry-After, never a 500. (REST and GraphQL map errors themselves.)"""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NexusError):
            return error_response(
                request,
                code=exception.code,
                message=exception.message,
                status=exception.status,
                details=exception.details,
                headers=exception.response_headers(),
            )
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("Database unavailable: %s", exception)
            return error_response(
                request,
                code="database_unavailable",
                message="The database is unavailable right now; please retry in a few seconds.",
                status=503,
                headers={"Retry-After": "5"},
            )
        return None
