"""Thin Celery wrappers for the scheduled jobs; the logic lives in digests.py, webhooks.py and services.py."""

from __future__ import annotations

from celery import shared_task

from nexus.notifications.digests import digests_send
from nexus.notifications.services import notifications_prune
from nexus.notifications.webhooks import webhook_deliveries_retry_due


@shared_task(name="nexus.notifications.digests")
def digests_send_task(frequency: str) -> int:
    """Send the daily or weekly digests of the period that just ended (idempotent per user and period)."""
    return digests_send(frequency=frequency)


@shared_task(name="nexus.notifications.webhook_retry")
def webhook_retry_task() -> int:
    """Attempt webhook deliveries whose backoff has passed."""
    return webhook_deliveries_retry_due()


@shared_task(name="nexus.notifications.retention")
def notifications_retention_task() -> dict[str, int]:
    """Delete read notifications, unreferenced events and old digest records past retention."""
    return notifications_prune()
