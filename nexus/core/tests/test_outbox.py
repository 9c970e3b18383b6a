"""The outbox: effects leave after commit, once, and survive a broker outage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.utils import timezone

from nexus.celery import app as celery_app
from nexus.core.models import OutboxMessage
from nexus.core.outbox import (
    outbox_deliver,
    outbox_enqueue,
    outbox_handler,
    outbox_publish_pending,
)
from nexus.core.tasks import outbox_deliver_task

applied: list[dict[str, Any]] = []
failures_left = {"count": 0}


@outbox_handler("tests.effect")
def record_effect(payload: dict[str, Any]) -> None:
    if failures_left["count"] > 0:
        failures_left["count"] -= 1
        raise RuntimeError("the effect's target is down")
    applied.append(payload)


@pytest.fixture(autouse=True)
def _reset_effects() -> None:
    applied.clear()
    failures_left["count"] = 0


def enqueue_in_transaction(n: int = 1) -> OutboxMessage:
    with transaction.atomic():
        return outbox_enqueue(topic="tests.effect", payload={"n": n}, key=f"tests.effect:{n}")


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        outbox_enqueue(topic="tests.effect", payload={}, key="k")
    assert OutboxMessage.objects.count() == 0


def test_unknown_topic_is_refused(db: None) -> None:
    with transaction.atomic(), pytest.raises(ValueError, match="No outbox handler"):
        outbox_enqueue(topic="tests.nobody-handles-this", payload={}, key="k")


def test_same_key_is_recorded_once(db: None) -> None:
    with transaction.atomic():
        first = outbox_enqueue(topic="tests.effect", payload={"n": 1}, key="same")
        second = outbox_enqueue(topic="tests.effect", payload={"n": 2}, key="same")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


def test_delivering_twice_applies_once(db: None) -> None:
    message = enqueue_in_transaction()
    assert outbox_deliver(message.pk) is True
    assert outbox_deliver(message.pk) is False
    assert applied == [{"n": 1}]


@pytest.mark.django_db(transaction=True)
def test_message_of_a_rolled_back_transaction_is_never_sent() -> None:
    def failing_write() -> None:
        with transaction.atomic():
            outbox_enqueue(topic="tests.effect", payload={"n": 1}, key="rolled-back")
            raise ZeroDivisionError("the write fails after the message was recorded")

    with pytest.raises(ZeroDivisionError):
        failing_write()
    assert OutboxMessage.objects.count() == 0
    assert outbox_publish_pending() == 0
    assert applied == []


@pytest.mark.django_db(transaction=True)
def test_inline_mode_delivers_right_after_commit(settings: Any) -> None:
    settings.NEXUS_TASKS_MODE = "inline"
    message = enqueue_in_transaction()
    message.refresh_from_db()
    assert applied == [{"n": 1}]
    assert message.published_at is not None
    assert message.delivered_at is not None


@pytest.mark.django_db(transaction=True)
def test_inline_failure_keeps_the_message_for_the_sweep(settings: Any) -> None:
    settings.NEXUS_TASKS_MODE = "inline"
    failures_left["count"] = 1
    message = enqueue_in_transaction()
    message.refresh_from_db()
    assert applied == []
    assert message.delivered_at is None
    assert message.attempts == 1
    assert "the effect's target is down" in message.last_error

    assert outbox_publish_pending() == 1
    assert outbox_publish_pending() == 0
    assert applied == [{"n": 1}]


@pytest.mark.django_db(transaction=True)
def test_the_sweep_leaves_messages_newer_than_itself_to_their_own_publish(settings: Any) -> None:
    # A worker applying one message may enqueue the next while the sweep runs; that
    # message is published after its own commit, so the sweep must not take it too.
    settings.NEXUS_TASKS_MODE = "inline"
    failures_left["count"] = 2
    waiting = enqueue_in_transaction(1)
    newer = enqueue_in_transaction(2)
    OutboxMessage.objects.filter(pk=newer.pk).update(created_at=timezone.now() + timedelta(minutes=1))

    assert outbox_publish_pending() == 1
    assert applied == [{"n": 1}]
    assert OutboxMessage.objects.get(pk=waiting.pk).delivered_at is not None
    assert OutboxMessage.objects.get(pk=newer.pk).published_at is None


# --- The services column: RabbitMQ ------------------------------------------------------------


@pytest.fixture
def worker(celery_mode: None) -> Any:
    """A real Celery worker thread consuming the test queue on RabbitMQ."""
    with celery_app.connection_for_write() as connection:
        queue = celery_app.amqp.queues[celery_app.conf.task_default_queue](connection.default_channel)
        queue.declare()
        queue.purge()  # leftovers of an interrupted earlier run
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=60):
        yield


def wait_until(condition: Any, timeout: float = 15.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_broker_outage_loses_no_write_and_delivers_once_when_back(
    settings: Any, worker: None, broker_proxy: Any
) -> None:
    proxy = broker_proxy
    proxy.stop()  # RabbitMQ "goes down" for the web process
    message = enqueue_in_transaction(7)  # the write commits all the same
    message.refresh_from_db()
    assert message.published_at is None
    assert message.attempts == 1
    assert applied == []

    proxy.start()  # ...and comes back: the sweep publishes what waited
    assert outbox_publish_pending() == 1
    wait_until(lambda: applied)
    # A duplicate publish (a relay that crashed before marking it) is applied once:
    # the worker takes the queue in order, so once message 8 is applied the
    # duplicate of 7 has been handled too.
    outbox_deliver_task.apply_async(args=[message.pk])
    enqueue_in_transaction(8)
    wait_until(lambda: len(applied) == 2)
    assert applied == [{"n": 7}, {"n": 8}]
    assert outbox_publish_pending() == 0
