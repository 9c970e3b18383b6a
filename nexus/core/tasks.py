"""Thin Celery wrappers around the outbox relay; the logic lives in nexus.core.outbox."""

from __future__ import annotations

from celery import shared_task

from nexus.core.outbox import outbox_deliver, outbox_publish_pending, outbox_purge_delivered


@shared_task(
    name="nexus.outbox.deliver",
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=10,
)
def outbox_deliver_task(message_id: int) -> bool:
    """Apply one outbox message; a second delivery of the same message does nothing."""
    return outbox_deliver(message_id)


@shared_task(name="nexus.outbox.sweep")
def outbox_sweep_task() -> int:
    """Publish messages a broker outage left behind and drop old delivered ones."""
    outbox_purge_delivered()
    return outbox_publish_pending()
