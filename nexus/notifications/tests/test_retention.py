"""Retention: read notifications, unreferenced events and old digest records go after
NEXUS_NOTIFICATION_RETENTION_DAYS; unread notifications stay however old."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from nexus.accounts.tests.factories import UserFactory
from nexus.notifications.models import DigestDelivery, Event, Notification, Webhook, WebhookDelivery
from nexus.notifications.services import notifications_prune
from nexus.notifications.tasks import notifications_retention_task

pytestmark = pytest.mark.django_db


def _event(key: str, age: timedelta) -> Event:
    event = Event.objects.create(kind="entry.published", key=key, title=key, url=f"/{key}/")
    Event.objects.filter(pk=event.pk).update(created_at=timezone.now() - age)
    return event


def _notification(user: Any, event: Event, *, read_age: timedelta | None) -> Notification:
    read_at = None if read_age is None else timezone.now() - read_age
    return Notification.objects.create(recipient=user, event=event, reason="follow", read_at=read_at)


def test_old_read_notifications_and_their_events_go_unread_ones_stay(settings: Any) -> None:
    settings.NEXUS_NOTIFICATION_RETENTION_DAYS = 30
    reader, other = UserFactory(), UserFactory()
    long_ago, lately = timedelta(days=40), timedelta(days=2)
    old_read = _notification(reader, _event("old-read", long_ago), read_age=long_ago)
    old_unread = _notification(other, _event("old-unread", long_ago), read_age=None)
    shared = _event("old-shared", long_ago)  # read long ago by one, never by the other
    _notification(reader, shared, read_age=long_ago)
    still_unread = _notification(other, shared, read_age=None)
    recent = _notification(reader, _event("recent", lately), read_age=lately)
    webhook = Webhook.objects.create(owner=reader, name="log", url="https://example.com/hook", secret="s")
    WebhookDelivery.objects.create(webhook=webhook, event=old_read.event, status="succeeded")
    now = timezone.now()
    DigestDelivery.objects.create(
        user=reader, frequency="daily", period_start=now - timedelta(days=41), period_end=now - timedelta(days=40)
    )
    DigestDelivery.objects.create(
        user=reader, frequency="daily", period_start=now - timedelta(days=2), period_end=now - timedelta(days=1)
    )

    assert notifications_prune() == {"notifications": 2, "events": 1, "webhook_deliveries": 1, "digests": 1}

    left = set(Notification.objects.values_list("pk", flat=True))
    assert left == {old_unread.pk, still_unread.pk, recent.pk}
    assert set(Event.objects.values_list("key", flat=True)) == {"old-unread", "old-shared", "recent"}
    assert DigestDelivery.objects.count() == 1
    assert notifications_retention_task() == {"notifications": 0, "events": 0, "webhook_deliveries": 0, "digests": 0}
