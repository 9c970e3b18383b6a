"""Side effects of notifications, applied by the outbox after the write that caused them."""

from __future__ import annotations

from typing import Any

from nexus.core.outbox import outbox_handler
from nexus.notifications.digests import DIGEST_TOPIC, digest_deliver
from nexus.notifications.mail import EMAIL_TOPIC
from nexus.notifications.services import EVENT_TOPIC, event_fan_out, notification_email_send


@outbox_handler(EVENT_TOPIC)
def fan_out_event(payload: dict[str, Any]) -> None:
    """Notify followers and mentioned users, queue instant e-mails and webhook deliveries."""
    event_fan_out(payload)


@outbox_handler(EMAIL_TOPIC)
def send_notification_email(payload: dict[str, Any]) -> None:
    """Mail one notification to a recipient who wants them right away."""
    notification_email_send(payload["notification_id"])


@outbox_handler(DIGEST_TOPIC)
def send_digest(payload: dict[str, Any]) -> None:
    """Mail one user's daily or weekly digest, once per period."""
    digest_deliver(payload)
