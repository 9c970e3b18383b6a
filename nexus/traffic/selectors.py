"""Reads of traffic for admins: the dashboard from the daily aggregates, IP rules, flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from nexus.traffic.errors import DateRangeInvalid, FlagNotFound
from nexus.traffic.models import AnomalyFlag, DailyAggregate, Dimension, FlagStatus, IpRule
from nexus.traffic.permissions import require_review_flags, require_view_traffic

MAX_RANGE_DAYS = 366
TOP = 10


@dataclass
class Dashboard:
    start: date
    end: date
    days: list[tuple[date, int, int]] = field(default_factory=list)  # day, requests, visitors
    status_classes: list[tuple[str, int]] = field(default_factory=list)
    top_routes: list[tuple[str, int]] = field(default_factory=list)
    slowest_routes: list[tuple[str, float, float]] = field(default_factory=list)  # route, avg, max (ms)
    countries: list[tuple[str, int]] = field(default_factory=list)
    blocked: list[tuple[str, int]] = field(default_factory=list)
    flags: list[AnomalyFlag] = field(default_factory=list)
    rules: list[IpRule] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(requests for _, requests, _ in self.days)


def date_range_parse(start: Any, end: Any) -> tuple[date, date]:
    """The dashboard's range from ISO dates (default: the last 30 days), validated."""
    today = timezone.localdate()
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=29)
    except (TypeError, ValueError):
        raise DateRangeInvalid(details={"range": ["Give dates as YYYY-MM-DD."]}) from None
    if first > last:
        raise DateRangeInvalid(details={"range": ["The start is after the end."]})
    if (last - first).days >= MAX_RANGE_DAYS:
        raise DateRangeInvalid(details={"range": [f"Choose at most {MAX_RANGE_DAYS} days."]})
    return first, last


def traffic_dashboard(user: Any, *, start: date, end: date) -> Dashboard:
    """Everything the dashboard charts, from the daily aggregates of [start, end]: a fixed
    number of queries whatever the range."""
    require_view_traffic(user)
    rows = DailyAggregate.objects.filter(day__gte=start, day__lte=end)

    def summed(dimension: str) -> QuerySet[Any]:
        return rows.filter(dimension=dimension).values("key").annotate(n=Sum("requests")).order_by("-n", "key")

    board = Dashboard(start=start, end=end)
    per_day = {
        day: (requests, visitors)
        for day, requests, visitors in rows.filter(dimension=Dimension.TOTAL).values_list("day", "requests", "visitors")
    }
    board.days = [
        (day, *per_day.get(day, (0, 0)))
        for day in (start + timedelta(days=offset) for offset in range((end - start).days + 1))
    ]
    board.status_classes = sorted((row["key"], row["n"]) for row in summed(Dimension.STATUS))
    board.top_routes = [(row["key"], row["n"]) for row in summed(Dimension.ROUTE)[:TOP]]
    board.countries = [(row["key"] or "--", row["n"]) for row in summed(Dimension.COUNTRY)[:TOP]]
    board.blocked = [(row["key"], row["n"]) for row in summed(Dimension.BLOCKED)[:TOP]]
    slow = (
        rows.filter(dimension=Dimension.ROUTE)
        .values("key")
        .annotate(total=Sum("duration_total_ms"), n=Sum("requests"), slowest=Max("duration_max_ms"))
        .order_by()
    )
    averaged = [(row["key"], row["total"] / row["n"], row["slowest"]) for row in slow if row["n"]]
    board.slowest_routes = sorted(averaged, key=lambda item: -item[1])[:TOP]
    board.flags = list(flag_list(user).filter(status=FlagStatus.OPEN)[:TOP])
    board.rules = list(ip_rule_list(user)[:TOP])
    return board


def ip_rule_list(user: Any) -> QuerySet[IpRule]:
    """Active rules, newest first."""
    require_view_traffic(user)
    return (
        IpRule.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .select_related("created_by")
        .order_by("-id")
    )


def flag_list(user: Any) -> QuerySet[AnomalyFlag]:
    """Anomaly flags, newest first."""
    require_review_flags(user)
    return AnomalyFlag.objects.select_related("reviewed_by", "rule").order_by("-id")


def flag_get(user: Any, flag_id: int) -> AnomalyFlag:
    """One flag, or FlagNotFound."""
    flag = flag_list(user).filter(pk=flag_id).first()
    if flag is None:
        raise FlagNotFound(f"There is no anomaly flag {flag_id}.")
    return flag
