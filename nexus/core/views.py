"""Health endpoints and the error handlers Django calls outside any view."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from nexus.core.health import CHECKS, readiness
from nexus.core.http import error_response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: database, cache and broker answer (503 naming what failed).

    `?checks=database` limits the checks: pages keep serving without Redis or RabbitMQ,
    so a load balancer should take a replica out only when its database is gone.
    """
    wanted = [name for name in request.GET.get("checks", "").split(",") if name] or None
    unknown = sorted(set(wanted or []) - set(CHECKS))
    if unknown:
        return error_response(
            request,
            code="invalid",
            message=f"Unknown check {', '.join(unknown)}; choose from {', '.join(CHECKS)}.",
            status=400,
        )
    checks = readiness(wanted)
    ready = all(state == "ok" for state in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, code="bad_request", message="The request could not be understood.", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(
        request, code="permission_denied", message="You do not have permission to do this.", status=403
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, code="not_found", message=f"Nothing lives at {request.path}.", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(
        request,
        code="internal_error",
        message="Something went wrong on our side; it has been logged.",
        status=500,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_response(
        request,
        code="csrf_failed",
        message="The form expired or came from another site; reload the page and try again.",
        status=403,
        details={"reason": reason},
    )
