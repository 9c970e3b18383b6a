"""Anomaly detection over one hour of the request log: per address (its daily hash),
volume far above its usual rate, many 401/403/404 answers, probing of sensitive paths,
many failed sign-ins. Each finding is a flag with its reason and evidence; with
NEXUS_ANOMALY_AUTO_BLOCK the flagged network is blocked for NEXUS_ANOMALY_BLOCK_HOURS."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from nexus.traffic.models import AnomalyFlag, FlagKind, RequestLog
from nexus.traffic.services import flag_review

logger = logging.getLogger(__name__)


def _hour_floor(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _probe_q() -> Q:
    query = Q()
    for prefix in settings.NEXUS_ANOMALY_SENSITIVE_PATHS:
        query |= Q(path__startswith=prefix)
    return query & Q(user_id__isnull=True)


def _usual_hourly(address_hash: str, start: datetime) -> float:
    """The address's mean requests per hour earlier the same day (its hash links nothing
    further back), or 0 when it was not seen."""
    day_start = start.replace(hour=0)
    hours = (start - day_start).total_seconds() / 3600
    if hours < 1:
        return 0.0
    earlier = RequestLog.objects.filter(address_hash=address_hash, created_at__gte=day_start, created_at__lt=start)
    return earlier.count() / hours


def anomaly_scan(*, window_end: datetime | None = None) -> list[AnomalyFlag]:
    """Flag the addresses of the hour before `window_end` (default: the hour that last
    ended); a second run over the same hour flags nothing twice. Returns the new flags."""
    end = _hour_floor(window_end or timezone.now())
    start = end - timedelta(hours=1)
    per_address = (
        RequestLog.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("address_hash", "network")
        .annotate(
            total=Count("id"),
            errors=Count("id", filter=Q(status__in=(401, 403, 404))),
            probes=Count("id", filter=_probe_q()),
            failed_logins=Count("id", filter=Q(login_failed=True)),
        )
        .filter(
            Q(total__gte=settings.NEXUS_ANOMALY_VOLUME_MIN)
            | Q(errors__gte=settings.NEXUS_ANOMALY_ERRORS)
            | Q(probes__gte=settings.NEXUS_ANOMALY_PROBES)
            | Q(failed_logins__gte=settings.NEXUS_ANOMALY_FAILED_LOGINS)
        )
        .order_by()
    )
    created: list[AnomalyFlag] = []
    for row in per_address[:1000]:  # bounded work even in a flood
        for kind, reason, evidence in _findings(dict(row), start):
            flag, is_new = AnomalyFlag.objects.get_or_create(
                address_hash=row["address_hash"],
                kind=kind,
                window_start=start,
                defaults={
                    "window_end": end,
                    "network": row["network"],
                    "reason": reason[:300],
                    "evidence": evidence,
                },
            )
            if is_new:
                created.append(flag)
    if settings.NEXUS_ANOMALY_AUTO_BLOCK:
        for flag in created:
            try:
                flag_review(actor=None, flag=flag, decision="block")
            except Exception:  # one refused block (e.g. a too-wide network) must not stop the rest
                logger.warning("Auto-block of flag %s failed", flag.pk, exc_info=True)
    return created


def _examples(address_hash: str, start: datetime, end: datetime, condition: Q) -> list[dict[str, Any]]:
    rows = (
        RequestLog.objects.filter(condition, address_hash=address_hash, created_at__gte=start, created_at__lt=end)
        .values("method", "route", "path", "status")
        .annotate(n=Count("id"))
        .order_by("-n")[:5]
    )
    return [
        {"method": r["method"], "target": r["route"] or r["path"], "status": r["status"], "count": r["n"]} for r in rows
    ]


def _findings(row: dict[str, Any], start: datetime) -> list[tuple[str, str, dict[str, Any]]]:
    end = start + timedelta(hours=1)
    found: list[tuple[str, str, dict[str, Any]]] = []
    counts = {k: row[k] for k in ("total", "errors", "probes", "failed_logins")}
    if row["total"] >= settings.NEXUS_ANOMALY_VOLUME_MIN:
        usual = _usual_hourly(row["address_hash"], start)
        if usual == 0 or row["total"] >= settings.NEXUS_ANOMALY_VOLUME_FACTOR * usual:
            found.append(
                (
                    FlagKind.VOLUME,
                    f"{row['total']} requests in an hour"
                    + (f", {row['total'] / usual:.0f}x its usual {usual:.0f}/h" if usual else ", first seen today"),
                    {
                        **counts,
                        "usual_per_hour": round(usual, 1),
                        "top": _examples(row["address_hash"], start, end, Q()),
                    },
                )
            )
    if row["errors"] >= settings.NEXUS_ANOMALY_ERRORS:
        found.append(
            (
                FlagKind.ERRORS,
                f"{row['errors']} answers 401/403/404 in an hour",
                {**counts, "top": _examples(row["address_hash"], start, end, Q(status__in=(401, 403, 404)))},
            )
        )
    if row["probes"] >= settings.NEXUS_ANOMALY_PROBES:
        found.append(
            (
                FlagKind.PROBING,
                f"{row['probes']} requests for sensitive paths (/admin, /.env, /wp-login.php...)",
                {**counts, "top": _examples(row["address_hash"], start, end, _probe_q())},
            )
        )
    if row["failed_logins"] >= settings.NEXUS_ANOMALY_FAILED_LOGINS:
        found.append(
            (
                FlagKind.FAILED_LOGINS,
                f"{row['failed_logins']} failed sign-ins in an hour",
                {**counts, "top": _examples(row["address_hash"], start, end, Q(login_failed=True))},
            )
        )
    return found
