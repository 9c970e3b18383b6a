"""Comments and answers with RabbitMQ cut: they save all the same, and once the broker is
back every notification they cause is delivered exactly once (services column)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from nexus.community.models import Answer, Comment
from nexus.community.tests.factories import make_answer, make_comment, make_question
from nexus.core.models import OutboxMessage
from nexus.core.outbox import outbox_publish_pending
from nexus.core.tasks import outbox_deliver_task
from nexus.knowledge.tests.factories import make_entry
from nexus.notifications.models import Notification
from nexus.notifications.tests.test_outbox import wait_until, worker  # noqa: F401 (a fixture)


@pytest.mark.django_db(transaction=True)
def test_broker_outage_saves_comments_and_answers_and_notifies_once(
    settings: Any,
    worker: None,  # noqa: F811
    broker_proxy: Any,
    owner: Any,
    member: Any,
    outsider: Any,
) -> None:
    entry = make_entry(owner)
    question = make_question(owner)
    outbox_publish_pending()  # what the setup itself caused leaves before the outage
    wait_until(lambda: not OutboxMessage.objects.filter(delivered_at__isnull=True).exists())
    before = Notification.objects.count()

    proxy = broker_proxy
    proxy.stop()  # RabbitMQ "goes down" for the web process
    make_comment(member, entry, "During the outage, @outsider: does this hold?")
    make_answer(member, question, "Answered during the outage, @outsider.")
    assert (Comment.objects.count(), Answer.objects.count()) == (1, 1)  # the writes commit all the same
    assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 2
    assert Notification.objects.count() == before

    proxy.start()  # ...and comes back: the sweep publishes what waited
    assert outbox_publish_pending() == 2
    # outsider is mentioned in both: two notifications, each delivered once.
    wait_until(lambda: Notification.objects.filter(recipient=outsider).count() == 2)
    delivered = Notification.objects.count()
    for message_id in OutboxMessage.objects.values_list("pk", flat=True):  # duplicate copies
        outbox_deliver_task.apply_async(args=[message_id])
    time.sleep(1.0)
    assert Notification.objects.count() == delivered
    assert outbox_publish_pending() == 0
