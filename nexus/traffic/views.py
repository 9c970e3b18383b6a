"""The traffic dashboard page (admins): charts from the daily aggregates, open flags with
one-click block, active rules, and the unlock form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from nexus.core.errors import NexusError
from nexus.traffic.addresses import client_address
from nexus.traffic.charts import bar_chart, line_chart
from nexus.traffic.errors import DateRangeInvalid
from nexus.traffic.permissions import require_view_traffic
from nexus.traffic.selectors import date_range_parse, flag_get, traffic_dashboard
from nexus.traffic.services import flag_review, ip_rule_delete, ip_rule_save, login_unlock_record


def _problem(error: NexusError) -> str:
    listed = "; ".join(m for messages_ in error.details.values() for m in messages_ if isinstance(m, str))
    return f"{error.message} {listed}".strip()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Requests over time, status classes, routes, countries, blocked and flagged addresses."""
    require_view_traffic(request.user)
    status = 200
    try:
        start, end = date_range_parse(request.GET.get("start"), request.GET.get("end"))
    except DateRangeInvalid as error:
        messages.error(request, _problem(error))
        start, end = date_range_parse(None, None)
        status = 400
    board = traffic_dashboard(request.user, start=start, end=end)
    charts = {
        "requests": line_chart(
            [(day, requests) for day, requests, _ in board.days], name="requests", title="Requests per day"
        ),
        "visitors": line_chart(
            [(day, visitors) for day, _, visitors in board.days], name="visitors", title="Visitors per day"
        ),
        "status": bar_chart(board.status_classes, name="status", title="Status classes"),
        "routes": bar_chart(board.top_routes, name="routes", title="Top routes"),
        "slowest": bar_chart(
            [(r, avg) for r, avg, _ in board.slowest_routes], name="slowest", title="Slowest routes", unit=" ms"
        ),
        "countries": bar_chart(board.countries, name="countries", title="Countries"),
        "blocked": bar_chart(board.blocked, name="blocked", title="Blocked networks"),
    }
    context = {"board": board, "charts": charts, "your_address": client_address(request)}
    return render(request, "traffic/dashboard.html", context, status=status)


@login_required
@require_POST
def flag_review_view(request: HttpRequest, flag_id: int) -> HttpResponse:
    """One click: block the flagged network, or dismiss the flag."""
    try:
        flag = flag_review(
            actor=request.user, flag=flag_get(request.user, flag_id), decision=request.POST.get("decision", "")
        )
    except NexusError as error:
        if error.status == 403:
            raise
        messages.error(request, _problem(error))
    else:
        messages.success(request, f"Flag {flag.pk}: {flag.get_status_display().lower()} ({flag.network}).")
    return redirect("traffic:dashboard")


@login_required
@require_POST
def rule_save_view(request: HttpRequest) -> HttpResponse:
    """Block an address or range from the dashboard (your own address needs a confirmation)."""
    try:
        saved = ip_rule_save(
            actor=request.user,
            network=request.POST.get("network", ""),
            reason=request.POST.get("reason", ""),
            own_address=client_address(request),
            confirm=request.POST.get("confirm") == "on",
        )
    except NexusError as error:
        if error.status == 403:
            raise
        messages.error(request, _problem(error))
    else:
        messages.success(request, f"Blocked {saved.rule.network}.")
        for warning in saved.warnings:
            messages.warning(request, warning)
    return redirect("traffic:dashboard")


@login_required
@require_POST
def rule_delete_view(request: HttpRequest) -> HttpResponse:
    try:
        rule = ip_rule_delete(actor=request.user, network=request.POST.get("network", ""))
    except NexusError as error:
        if error.status == 403:
            raise
        messages.error(request, _problem(error))
    else:
        messages.success(request, f"Unblocked {rule.network}.")
    return redirect("traffic:dashboard")


@login_required
@require_POST
def unlock_view(request: HttpRequest) -> HttpResponse:
    try:
        login_unlock_record(
            actor=request.user,
            username=request.POST.get("username", "").strip() or None,
            address=request.POST.get("address", "").strip() or None,
        )
    except NexusError as error:
        if error.status == 403:
            raise
        messages.error(request, _problem(error))
    else:
        messages.success(request, "Sign-in unlocked.")
    return redirect("traffic:dashboard")
