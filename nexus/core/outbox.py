"""Transactional outbox: side effects leave only after the write that caused them commits.

A service calls `outbox_enqueue` inside its own `transaction.atomic()`. After commit the
relay publishes the message to Celery (production) or delivers it in-process (the
embedded default). Publishing is at least once: a broker outage leaves the message
waiting and `outbox_publish_pending` (run by beat) publishes it later. Delivery is once:
`outbox_deliver` marks the message delivered in the same transaction as the handler's
database effects, so a second copy finds it delivered and does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from nexus.core.models import OutboxMessage

logger = logging.getLogger(__name__)

OutboxHandler = Callable[[dict[str, Any]], None]
_handlers: dict[str, OutboxHandler] = {}


def outbox_handler(topic: str) -> Callable[[OutboxHandler], OutboxHandler]:
    """Register the function that applies messages of `topic`; it must be idempotent."""

    def register(func: OutboxHandler) -> OutboxHandler:
        if _handlers.get(topic, func) is not func:
            raise ValueError(f"Outbox topic {topic!r} already has a handler.")
        _handlers[topic] = func
        return func

    return register


def outbox_enqueue(*, topic: str, payload: dict[str, Any], key: str) -> OutboxMessage:
    """Record a side effect in the caller's transaction; it is published after commit."""
    if topic not in _handlers:
        raise ValueError(f"No outbox handler is registered for {topic!r}.")
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the row would commit on its own and the effect could
        # leave for a write that later fails.
        raise RuntimeError("outbox_enqueue must be called inside the service's transaction.atomic().")
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=key, defaults={"topic": topic, "payload": payload}
    )
    if created:
        transaction.on_commit(lambda: outbox_publish([message.pk]))
    return message


def outbox_publish(message_ids: Iterable[int]) -> int:
    """Hand messages to the broker (or deliver them here in inline mode); returns how many left."""
    ids = list(message_ids)
    if not ids:
        return 0
    if settings.NEXUS_TASKS_MODE == "inline":
        return sum(1 for message_id in ids if _deliver_inline(message_id))
    return _publish_to_broker(ids)


def outbox_publish_pending(*, batch_size: int = 500) -> int:
    """Publish every message that was waiting when the sweep began, oldest first.

    Messages created while the sweep runs (a worker applying one message may enqueue the
    next) have their own after-commit publish; taking them too would publish them twice.
    """
    published = 0
    began = timezone.now()
    while True:
        ids = list(
            OutboxMessage.objects.filter(published_at__isnull=True, created_at__lte=began)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return published
        count = outbox_publish(ids)
        published += count
        if count < len(ids):
            # The broker is down or a handler keeps failing: try again at the next sweep.
            return published


def outbox_deliver(message_id: int) -> bool:
    """Apply one message's effect exactly once; False when it was already applied."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id, delivered_at__isnull=True).first()
        if message is None:
            return False
        handler = _handlers.get(message.topic)
        if handler is None:
            raise LookupError(f"No outbox handler is registered for {message.topic!r}.")
        handler(message.payload)
        message.delivered_at = timezone.now()
        message.save(update_fields=["delivered_at"])
    return True


def outbox_record_failure(message_id: int, error: BaseException) -> None:
    """Keep the last error on the message for operators; the message stays pending."""
    OutboxMessage.objects.filter(pk=message_id).update(attempts=F("attempts") + 1, last_error=repr(error)[:2000])


def outbox_purge_delivered(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Delete delivered messages past the retention window."""
    deleted, _ = OutboxMessage.objects.filter(delivered_at__lt=timezone.now() - older_than).delete()
    return deleted


def _deliver_inline(message_id: int) -> bool:
    try:
        outbox_deliver(message_id)
    except Exception as error:
        logger.exception("Outbox message %s failed; the sweep retries it.", message_id)
        outbox_record_failure(message_id, error)
        return False
    OutboxMessage.objects.filter(pk=message_id, published_at__isnull=True).update(published_at=timezone.now())
    return True


def _publish_to_broker(ids: list[int]) -> int:
    from kombu.exceptions import KombuError

    from nexus.celery import app
    from nexus.core.tasks import outbox_deliver_task

    published = 0
    try:
        with app.connection_for_write(connect_timeout=settings.NEXUS_BROKER_CONNECT_TIMEOUT) as connection:
            for message_id in ids:
                # With publisher confirms this returns only once the broker holds the message.
                outbox_deliver_task.apply_async(args=[message_id], connection=connection, retry=False)
                OutboxMessage.objects.filter(pk=message_id).update(published_at=timezone.now())
                published += 1
    except (OSError, KombuError) as error:
        logger.warning("Broker unreachable, %d outbox message(s) wait for the sweep: %s", len(ids) - published, error)
        if published < len(ids):
            outbox_record_failure(ids[published], error)
    return published
