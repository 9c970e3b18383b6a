"""Every notification, e-mail and webhook leaves through the outbox: with RabbitMQ cut the
writes still save, and once it is back each is delivered exactly once (services column)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from nexus.celery import app as celery_app
from nexus.core.models import OutboxMessage
from nexus.core.outbox import outbox_publish_pending
from nexus.core.tasks import outbox_deliver_task
from nexus.knowledge.models import Entry, Topic
from nexus.knowledge.services import hub_ensure
from nexus.knowledge.tests.factories import make_entry
from nexus.notifications.models import Notification, WebhookDelivery
from nexus.notifications.services import follow_create, preference_set, webhook_create


@pytest.fixture
def worker(celery_mode: None) -> Iterator[None]:
    """A real Celery worker thread consuming this run's test queue on RabbitMQ."""
    with celery_app.connection_for_write() as connection:
        queue = celery_app.amqp.queues[celery_app.conf.task_default_queue](connection.default_channel)
        queue.declare()
        queue.purge()  # leftovers of an interrupted earlier run
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=60):
        yield


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_broker_outage_saves_writes_and_delivers_every_notification_once(
    settings: Any, worker: None, broker_proxy: Any, owner: Any, member: Any, outsider: Any, receiver: Any
) -> None:
    settings.NEXUS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    topic = Topic.objects.get_or_create(slug="caching", defaults={"name": "Caching"})[0]
    follow_create(actor=member, target=hub_ensure(owner))
    follow_create(actor=outsider, target=topic)
    preference_set(actor=member, email_frequency="instant")
    webhook_create(actor=owner, hub=hub_ensure(owner), data={"name": "Chat", "url": receiver.url})

    proxy = broker_proxy
    proxy.stop()  # RabbitMQ "goes down" for the web process
    make_entry(owner, title="Written during the outage", topics=["caching"])
    make_entry(owner, title="Also written during the outage", topics=["caching"])
    assert Entry.objects.count() == 2  # the writes commit all the same
    assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 2
    assert not Notification.objects.exists()

    proxy.start()  # ...and comes back: the sweep publishes what waited
    assert outbox_publish_pending() == 2

    def all_delivered() -> bool:
        return (
            Notification.objects.count() == 4
            and len(mail.outbox) == 2
            and WebhookDelivery.objects.filter(status="succeeded").count() == 2
        )

    wait_until(all_delivered)
    # A duplicate publish of every message (a relay that crashed before marking them)
    # changes nothing: each is applied once.
    for message_id in OutboxMessage.objects.values_list("pk", flat=True):
        outbox_deliver_task.apply_async(args=[message_id])
    make_entry(owner, title="After the duplicates")  # the worker takes the queue in order
    wait_until(lambda: Notification.objects.count() == 5 and len(mail.outbox) == 3)
    time.sleep(0.3)
    assert Notification.objects.count() == 5
    assert sorted(Notification.objects.filter(recipient=outsider).values_list("event__title", flat=True)) == [
        "Also written during the outage",
        "Written during the outage",
    ]
    assert [message.to for message in mail.outbox] == [["member@example.org"]] * 3
    assert len(receiver.requests) == 3
    assert outbox_publish_pending() == 0
