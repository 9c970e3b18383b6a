"""Scheduled traffic jobs (celery beat, see CELERY_BEAT_SCHEDULE): thin wrappers."""

from __future__ import annotations

from celery import shared_task

from nexus.traffic.anomalies import anomaly_scan
from nexus.traffic.logbuffer import log_buffer_flush
from nexus.traffic.services import traffic_retention, traffic_rollup_recent


@shared_task(name="nexus.traffic.rollup")
def rollup_task() -> int:
    """Recompute today's and yesterday's daily aggregates."""
    log_buffer_flush()
    return traffic_rollup_recent()


@shared_task(name="nexus.traffic.anomaly_scan")
def anomaly_scan_task() -> int:
    """Flag unusual addresses of the hour that just ended."""
    return len(anomaly_scan())


@shared_task(name="nexus.traffic.retention")
def retention_task() -> dict[str, int]:
    """Roll up, then delete raw request rows older than the retention period."""
    return traffic_retention()
