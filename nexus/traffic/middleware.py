"""Traffic at the door: which address to believe, blocked networks, rate limits, and one
log row per request.

TrafficMiddleware sits right after RequestIdMiddleware: it decides the client address once
(traffic/addresses.py), hands its anonymised form to the audit trail, refuses blocked
networks with 403 before anything else runs (no database query: traffic/rules.py), and
queues the request's log row after the response (traffic/logbuffer.py). RateLimitMiddleware
sits after AuthenticationMiddleware, where it knows whether a session is signed in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty

from nexus.audit.context import audit_address_reset, audit_address_set
from nexus.core.http import error_response
from nexus.traffic.addresses import address_country, address_hash, address_network, client_address
from nexus.traffic.errors import AddressBlocked, RateLimited
from nexus.traffic.limits import Exceeded, request_limits_exceeded, route_limit_exceeded
from nexus.traffic.logbuffer import LogRow, log_buffer_add
from nexus.traffic.rules import address_blocked

GetResponse = Callable[[HttpRequest], HttpResponse]


def _route_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return (match.view_name or match.route or "")[:200]


def _signed_in_user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, without loading a session nobody sent: the log must not
    cost a request that never looked at its user a session read."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    nobody_asked = isinstance(user, SimpleLazyObject) and user._wrapped is empty
    if nobody_asked and settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


def limited_response(request: HttpRequest, exceeded: Exceeded) -> HttpResponse:
    """429 in the house format with Retry-After."""
    error = RateLimited(retry_after=exceeded.retry_after, details={"limit": exceeded.name, "rate": exceeded.rate})
    return error_response(
        request,
        code=error.code,
        message=error.message,
        status=error.status,
        details=error.details,
        headers=error.response_headers(),
    )


class TrafficMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.skip_prefixes = tuple(settings.NEXUS_TRAFFIC_SKIP_PREFIXES)
        self.sensitive = tuple(settings.NEXUS_ANOMALY_SENSITIVE_PATHS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        address = client_address(request)
        network = address_network(address)
        token = audit_address_set(network)
        blocked = False
        try:
            if address_blocked(address):
                blocked = True
                error = AddressBlocked()
                response = error_response(request, code=error.code, message=error.message, status=error.status)
            else:
                response = self.get_response(request)
            if settings.NEXUS_TRAFFIC_LOG and not request.path.startswith(self.skip_prefixes):
                self._log(request, response, address, network, blocked, started)
            return response
        finally:
            audit_address_reset(token)

    def _log(
        self, request: HttpRequest, response: HttpResponse, address: str, network: str, blocked: bool, started: float
    ) -> None:
        route = "" if blocked else _route_name(request)
        path = request.path
        now = timezone.now()
        log_buffer_add(
            LogRow(
                created_at=now,
                method=(request.method or "")[:8],
                route=route,
                # Paths are kept only where no route names the request, and for probes.
                path=path[:200] if (not route or path.startswith(self.sensitive)) else "",
                status=response.status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                user_id=_signed_in_user_id(request),
                country=address_country(address),
                network=network,
                address_hash=address_hash(address, now.date()),
                blocked=blocked,
                login_failed=bool(getattr(request, "_nexus_login_failed", False)),
            )
        )


class RateLimitMiddleware:
    """Anonymous clients per address, signed-in sessions per account, and the stricter
    sign-in and sign-up routes. Requests with an Authorization header are left to the API's
    own per-user throttles (DRF) and GraphQL's cost limit."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.NEXUS_RATE_LIMITS_ENABLED and "HTTP_AUTHORIZATION" not in request.META:
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else None
            exceeded = request_limits_exceeded(request, address=client_address(request), user_id=user_id)
            if exceeded is not None:
                return limited_response(request, exceeded)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        exceeded = route_limit_exceeded(request, route=_route_name(request), address=client_address(request))
        return limited_response(request, exceeded) if exceeded is not None else None
