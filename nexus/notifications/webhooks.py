"""Webhook deliveries: the address guard, payloads per format (Discord embeds, Slack
blocks, generic JSON), HMAC-SHA256 signatures, attempts with exponential backoff, the log,
and switching a webhook off after repeated failure (telling its owner)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from nexus.core.outbox import outbox_enqueue
from nexus.notifications.errors import WebhookUrlRefused
from nexus.notifications.mail import EMAIL_TOPIC, absolute_url
from nexus.notifications.models import (
    DeliveryStatus,
    EmailFrequency,
    Event,
    EventKind,
    Notification,
    NotificationPreference,
    NotificationReason,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    WebhookFormat,
)

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Nexus-Signature"
TIMESTAMP_HEADER = "X-Nexus-Timestamp"
USER_AGENT = "Nexus-Webhooks/1.0"
DISCORD_COLOURS: dict[str, int] = {
    EventKind.ENTRY_PUBLISHED: 0x2F80ED,
    EventKind.PROPOSAL_OPENED: 0xF2994A,
    EventKind.PROPOSAL_MERGED: 0x27AE60,
    EventKind.QUESTION_ASKED: 0x9B51E0,
    EventKind.ANSWER_POSTED: 0x56CCF2,
    EventKind.ANSWER_ACCEPTED: 0x219653,
    EventKind.COMMENT_POSTED: 0x828282,
}


# --- Address guard ------------------------------------------------------------------------


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(cidr, strict=False) for cidr in settings.NEXUS_WEBHOOK_ALLOWED_NETWORKS]


def webhook_url_check(url: str, *, allow_private: bool = False) -> list[str]:
    """Refuse a URL that is not http(s) or whose host resolves to any private, loopback,
    link-local or otherwise non-public address (unless an admin allowed it): a webhook
    must not become a way to reach the machines behind Nexus. Returns the addresses it
    checked (none when private ones are allowed), for the request to connect to."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise WebhookUrlRefused("This webhook URL is malformed.", details={"url": [str(error)]}) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        reason = "Use an http:// or https:// URL with a host name."
        raise WebhookUrlRefused(reason, details={"url": [reason]})
    if allow_private:
        return []
    try:
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        reason = f"The host {parts.hostname!r} cannot be resolved."
        raise WebhookUrlRefused(reason, details={"url": [reason]}) from error
    allowed = _allowed_networks()
    checked: list[str] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        checked.append(str(address))
        if any(address in network for network in allowed):
            continue
        if not address.is_global or address.is_multicast:
            raise WebhookUrlRefused(
                "This webhook URL points at a private, loopback or link-local address.",
                details={"url": [f"{parts.hostname} resolves to {address}, which is not a public address."]},
            )
    return checked


# --- Payloads and signatures ----------------------------------------------------------------


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webhook_payload(webhook_format: str, event: Event) -> dict[str, Any]:
    """The body a webhook of `webhook_format` receives for `event`."""
    label = EventKind(event.kind).label
    link = absolute_url(event.url)
    actor = event.actor.username if event.actor is not None else None
    hub = event.hub.title if event.hub is not None else None
    when = event.created_at.isoformat()
    if webhook_format == WebhookFormat.DISCORD:
        embed: dict[str, Any] = {
            "title": event.title[:256],
            "url": link,
            "description": f"{label}" + (f" by {actor}" if actor else ""),
            "timestamp": when,
            "color": DISCORD_COLOURS.get(event.kind, 0x828282),
        }
        if hub:
            embed["footer"] = {"text": hub[:2048]}
        # No @everyone or role pings from text our users wrote.
        return {"username": "Nexus", "embeds": [embed], "allowed_mentions": {"parse": []}}
    if webhook_format == WebhookFormat.SLACK:
        context = " · ".join(part for part in (f"by {actor}" if actor else "", hub or "") if part)
        blocks: list[dict[str, Any]] = [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{label}*: <{link}|{_slack_escape(event.title)}>"},
            }
        ]
        if context:
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_escape(context)}]})
        return {"text": f"{label}: {event.title} {link}", "blocks": blocks}
    return {
        "id": event.pk,
        "kind": event.kind,
        "title": event.title,
        "url": link,
        "actor": actor,
        "hub": hub,
        "created_at": when,
    }


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>" under the webhook's secret, as the header carries it."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


# --- Attempts -------------------------------------------------------------------------------


def webhook_backoff(attempts: int) -> timedelta:
    """How long after its `attempts`-th failure a delivery is tried again: doubling each time."""
    base = settings.NEXUS_WEBHOOK_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.NEXUS_WEBHOOK_RETRY_MAX_SECONDS))


def _post(webhook: Webhook, delivery: WebhookDelivery, body: bytes) -> tuple[int | None, str]:
    """POST the body; returns (HTTP status or None, error text)."""
    try:
        # Checked again at send time: the name may resolve elsewhere now than when saved.
        addresses = webhook_url_check(webhook.url, allow_private=webhook.allow_private_network)
    except WebhookUrlRefused as error:
        return None, "; ".join(error.details.get("url", [error.message]))
    url = httpx.URL(webhook.url)
    extensions: dict[str, Any] = {}
    if addresses:
        # Connect to the address just checked, not to whatever a second lookup answers
        # (DNS rebinding); Host and TLS (SNI and certificate) still name the real host.
        extensions["sni_hostname"] = url.host
        pinned_host = url.netloc.decode("ascii")
        url = url.copy_with(host=addresses[0])
    else:
        pinned_host = ""
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: webhook_signature(webhook.secret, timestamp, body),
        "X-Nexus-Event": delivery.event.kind,
        "X-Nexus-Delivery": str(delivery.pk),
    }
    if pinned_host:
        headers["Host"] = pinned_host
    timeout = httpx.Timeout(settings.NEXUS_WEBHOOK_TIMEOUT_SECONDS, connect=settings.NEXUS_WEBHOOK_CONNECT_SECONDS)
    try:
        # No redirects: a redirect could lead to an address the guard refuses.
        with (
            httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
            client.stream("POST", url, content=body, headers=headers, extensions=extensions) as response,
        ):
            status = response.status_code
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"[:500]
    return status, "" if 200 <= status < 300 else f"HTTP {status}"


def webhook_delivery_attempt(delivery_id: int, *, now: datetime | None = None) -> bool:
    """Try one due delivery once and log the outcome; False when it was not due (already
    sent, claimed by another worker, waiting for its backoff, or its webhook is off)."""
    now = now or timezone.now()
    lease = now + timedelta(seconds=settings.NEXUS_WEBHOOK_TIMEOUT_SECONDS * 2 + 30)
    # Claiming moves the next attempt past the lease, so a sweep racing this attempt skips it.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now, webhook__is_active=True
    ).update(next_attempt_at=lease)
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.select_related("webhook", "event__actor", "event__hub").get(pk=delivery_id)
    body = json.dumps(webhook_payload(delivery.webhook.format, delivery.event), separators=(",", ":")).encode()
    started = time.perf_counter()
    status, error = _post(delivery.webhook, delivery, body)
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    _record(delivery, status=status, error=error, elapsed_ms=elapsed_ms, now=now)
    return not error


def _record(delivery: WebhookDelivery, *, status: int | None, error: str, elapsed_ms: int, now: datetime) -> None:
    """Log an attempt; on failure schedule the next one or give up, and count the failure."""
    webhook = delivery.webhook
    with transaction.atomic():
        delivery.attempts += 1
        WebhookAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, response_status=status, response_ms=elapsed_ms, error=error
        )
        delivery.response_status, delivery.response_ms, delivery.error = status, elapsed_ms, error
        fields = ["attempts", "response_status", "response_ms", "error", "status", "next_attempt_at"]
        if not error:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, None
            delivery.delivered_at = timezone.now()
            delivery.save(update_fields=[*fields, "delivered_at"])
            Webhook.objects.filter(pk=webhook.pk, consecutive_failures__gt=0).update(consecutive_failures=0)
            return
        if delivery.attempts >= settings.NEXUS_WEBHOOK_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = now + webhook_backoff(delivery.attempts)
        delivery.save(update_fields=fields)
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
        failures = Webhook.objects.values_list("consecutive_failures", flat=True).get(pk=webhook.pk)
        if failures >= settings.NEXUS_WEBHOOK_DISABLE_AFTER:
            _disable(webhook, failures, error)


def _disable(webhook: Webhook, failures: int, error: str) -> None:
    """Switch the webhook off (once) and tell its owner, in-app and by e-mail."""
    now = timezone.now()
    reason = f"Turned off after {failures} failed deliveries in a row; the last: {error}"[:300]
    switched = Webhook.objects.filter(pk=webhook.pk, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason=reason
    )
    if not switched:
        return  # another attempt switched it off already
    WebhookDelivery.objects.filter(webhook=webhook, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, error="The webhook was turned off."
    )
    event = Event.objects.create(
        kind=EventKind.WEBHOOK_DISABLED,
        key=f"webhook.disabled:{webhook.pk}:{now.timestamp()}",
        hub_id=webhook.hub_id,
        title=f"Your webhook “{webhook.name}” was turned off after {failures} failed deliveries",
        url=reverse("notifications:webhook-detail", args=[webhook.pk]),
    )
    notification = Notification.objects.create(
        recipient_id=webhook.owner_id, event=event, reason=NotificationReason.OWNER
    )
    off = NotificationPreference.objects.filter(user_id=webhook.owner_id, email_frequency=EmailFrequency.OFF).exists()
    if not off:
        outbox_enqueue(
            topic=EMAIL_TOPIC, payload={"notification_id": notification.pk}, key=f"{EMAIL_TOPIC}:{notification.pk}"
        )
    logger.warning("Webhook %s turned off: %s", webhook.pk, reason)


def webhook_deliveries_attempt(delivery_ids: Iterable[int]) -> int:
    """Attempt each of these deliveries that is due; returns how many succeeded."""
    succeeded = 0
    for delivery_id in delivery_ids:
        try:
            succeeded += webhook_delivery_attempt(delivery_id)
        except Exception:
            # One broken delivery must not stop the others; it stays due for the sweep.
            logger.exception("Webhook delivery %s could not be attempted", delivery_id)
    return succeeded


def webhook_deliveries_retry_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """The retry sweep (beat): attempt every delivery whose backoff has passed."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, webhook__is_active=True)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due:
        try:
            webhook_delivery_attempt(delivery_id, now=now)
        except Exception:
            logger.exception("Webhook delivery %s could not be attempted", delivery_id)
    return len(due)
