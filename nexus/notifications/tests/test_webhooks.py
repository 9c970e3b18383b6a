"""Webhooks: the address guard, payload formats, signatures, retries with backoff, the log,
and switching off after repeated failure, against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from nexus.audit.models import AuditEvent
from nexus.core.errors import InvalidInput, PermissionDenied
from nexus.knowledge.models import Visibility
from nexus.knowledge.services import hub_ensure, hub_update
from nexus.knowledge.tests.factories import make_entry
from nexus.notifications.errors import WebhookUrlRefused
from nexus.notifications.models import DeliveryStatus, Notification, Webhook, WebhookAttempt, WebhookDelivery
from nexus.notifications.services import event_publish, webhook_create, webhook_delete, webhook_update
from nexus.notifications.webhooks import (
    webhook_backoff,
    webhook_deliveries_retry_due,
    webhook_payload,
    webhook_signature,
    webhook_url_check,
)


def hook(owner: Any, url: str, **data: Any) -> Webhook:
    return webhook_create(actor=owner, hub=hub_ensure(owner), data={"name": "Team chat", "url": url, **data})


def later(seconds: float) -> Any:
    return timezone.now() + timedelta(seconds=seconds)


# --- The address guard ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(owner: Any, url: str) -> None:
    with pytest.raises(WebhookUrlRefused) as refused:
        hook(owner, url)
    assert refused.value.status == 400
    assert "not a public address" in refused.value.details["url"][0]
    assert not Webhook.objects.exists()


def test_every_resolved_address_is_checked(monkeypatch: Any) -> None:
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    with pytest.raises(WebhookUrlRefused, match="private"):
        webhook_url_check("https://sneaky.example.com/hook")


def test_public_addresses_pass(monkeypatch: Any) -> None:
    answer = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answer)
    webhook_url_check("https://discord.com/api/webhooks/1/x")


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "http:///nohost", "http://[::1/x"])
def test_other_schemes_and_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(WebhookUrlRefused):
        webhook_url_check(url)


def test_unresolvable_hosts_are_refused() -> None:
    with pytest.raises(WebhookUrlRefused, match=r"cannot be resolved|not a public"):
        webhook_url_check("http://no-such-host.invalid/hook")


def test_an_admin_may_allow_a_private_address_and_nobody_else(
    owner: Any, admin_user: Any, loopback_allowed: None
) -> None:
    with pytest.raises(InvalidInput) as refused:
        hook(owner, "http://10.0.0.5/hook", allow_private_network=True)
    assert refused.value.details == {
        "allow_private_network": ["Only an admin can let a webhook reach a private network."]
    }
    webhook = hook(owner, "http://127.0.0.1/hook")
    with pytest.raises(WebhookUrlRefused):
        webhook_update(actor=owner, webhook=webhook, data={"url": "http://10.0.0.5/hook"})
    webhook_update(
        actor=admin_user, webhook=webhook, data={"url": "http://10.0.0.5/hook", "allow_private_network": True}
    )
    webhook.refresh_from_db()
    assert (webhook.url, webhook.allow_private_network) == ("http://10.0.0.5/hook", True)


def test_admin_allow_list_setting_lets_loopback_through(owner: Any, loopback_allowed: None) -> None:
    assert hook(owner, "http://127.0.0.1:9/hook").pk


# --- Who manages webhooks, bad input, audit -----------------------------------------------------


def test_only_the_hub_owner_or_an_admin_manages_a_hubs_webhooks(
    owner: Any, member: Any, admin_user: Any, loopback_allowed: None
) -> None:
    with pytest.raises(PermissionDenied):
        webhook_create(actor=member, hub=hub_ensure(owner), data={"name": "x", "url": "http://127.0.0.1/x"})
    with pytest.raises(PermissionDenied):
        webhook_create(actor=owner, hub=None, data={"name": "x", "url": "http://127.0.0.1/x"})
    site = webhook_create(actor=admin_user, hub=None, data={"name": "Site", "url": "http://127.0.0.1/x"})
    mine = hook(owner, "http://127.0.0.1/x")
    with pytest.raises(PermissionDenied):
        webhook_update(actor=member, webhook=mine, data={"name": "Mine now"})
    with pytest.raises(PermissionDenied):
        webhook_delete(actor=owner, webhook=site)
    assert Webhook.objects.count() == 2


def test_bad_webhook_fields_are_named(owner: Any, loopback_allowed: None) -> None:
    with pytest.raises(InvalidInput) as refused:
        hook(owner, "http://127.0.0.1/x", events=["entry.exploded"], format="telegram", colour="red")
    assert set(refused.value.details) == {"colour"}
    with pytest.raises(InvalidInput) as refused:
        hook(owner, "http://127.0.0.1/x", events=["entry.exploded"], format="telegram")
    assert set(refused.value.details) == {"events", "format"}
    with pytest.raises(InvalidInput) as refused:
        webhook_create(actor=owner, hub=hub_ensure(owner), data={"url": "http://127.0.0.1/x"})
    assert refused.value.details == {"name": ["This field is required."]}


def test_webhook_changes_are_audited(owner: Any, loopback_allowed: None) -> None:
    webhook = hook(owner, "http://127.0.0.1/x")
    webhook_update(actor=owner, webhook=webhook, data={"name": "Renamed"})
    webhook_delete(actor=owner, webhook=webhook)
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["webhook.create", "webhook.update", "webhook.delete"]


# --- Payloads and signatures -------------------------------------------------------------------


def test_payloads_per_format(effects: Any, owner: Any, loopback_allowed: None) -> None:
    hook(owner, "http://127.0.0.1:9/x")
    with effects():
        make_entry(owner, title="Redis <caching> & more")
    delivery = WebhookDelivery.objects.select_related("event__actor", "event__hub").get()
    event = delivery.event
    discord = webhook_payload("discord", event)
    assert discord["embeds"][0]["title"] == "Redis <caching> & more"
    assert discord["embeds"][0]["url"].endswith(event.url)
    assert discord["embeds"][0]["description"] == "Entry published by owner"
    assert discord["allowed_mentions"] == {"parse": []}
    slack = webhook_payload("slack", event)
    assert slack["blocks"][0]["text"]["text"].endswith("|Redis &lt;caching&gt; &amp; more>")
    assert slack["text"].startswith("Entry published: Redis <caching> & more")
    generic = webhook_payload("json", event)
    assert {key: generic[key] for key in ("kind", "title", "actor")} == {
        "kind": "entry.published",
        "title": "Redis <caching> & more",
        "actor": "owner",
    }


def test_a_delivery_is_signed_and_logged(effects: Any, owner: Any, receiver: Any, loopback_allowed: None) -> None:
    webhook = hook(owner, receiver.url, events=["entry.published"])
    with effects():
        entry = make_entry(owner, title="Signed")
    [request] = receiver.requests
    timestamp = request.headers["X-Nexus-Timestamp"]
    expected = hmac.new(webhook.secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Nexus-Signature"] == f"sha256={expected}"
    assert webhook_signature(webhook.secret, int(timestamp), request.body) == f"sha256={expected}"
    assert request.headers["X-Nexus-Event"] == "entry.published"
    body = json.loads(request.body)
    assert body["title"] == "Signed"
    assert body["url"].endswith(f"/h/owner/{entry.slug}/")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (DeliveryStatus.SUCCEEDED, 1, 200)
    assert delivery.response_ms is not None
    assert request.headers["X-Nexus-Delivery"] == str(delivery.pk)


def test_events_a_webhook_did_not_choose_are_not_sent(
    effects: Any, owner: Any, receiver: Any, loopback_allowed: None
) -> None:
    hook(owner, receiver.url, events=["proposal.merged"])
    with effects():
        make_entry(owner)
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_site_wide_webhooks_hear_only_public_hubs(
    effects: Any, owner: Any, admin_user: Any, receiver: Any, loopback_allowed: None
) -> None:
    webhook_create(actor=admin_user, hub=None, data={"name": "Site", "url": receiver.url})
    hub_update(actor=owner, hub=hub_ensure(owner), data={"visibility": Visibility.COHORT})
    with effects():
        make_entry(owner, title="For the cohort only")
    assert receiver.requests == []
    hub_update(actor=owner, hub=hub_ensure(owner), data={"visibility": Visibility.PUBLIC})
    with effects():
        make_entry(owner, title="For everyone")
    assert [json.loads(r.body)["title"] for r in receiver.requests] == ["For everyone"]


def test_hub_webhooks_hear_only_their_hub(
    effects: Any, owner: Any, member: Any, receiver: Any, loopback_allowed: None
) -> None:
    hook(owner, receiver.url)
    with effects(), transaction.atomic():
        event_publish(kind="question.asked", actor=member, followed=[], title="Elsewhere", url="/q/1/", key="q1")
        event_publish(
            kind="question.asked", actor=member, followed=[], title="Here", url="/q/2/", key="q2", hub=hub_ensure(owner)
        )
    assert [json.loads(r.body)["title"] for r in receiver.requests] == ["Here"]


# --- Retries, backoff, switching off -------------------------------------------------------------


def test_failed_deliveries_are_retried_with_exponential_backoff(
    effects: Any, owner: Any, receiver: Any, loopback_allowed: None
) -> None:
    receiver.statuses = [500, 503]
    hook(owner, receiver.url)
    with effects():
        make_entry(owner)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    first_wait = delivery.next_attempt_at
    assert webhook_deliveries_retry_due() == 0  # its backoff has not passed
    assert webhook_deliveries_retry_due(now=later(31)) == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.error) == (2, "HTTP 503")
    assert delivery.next_attempt_at - first_wait >= timedelta(seconds=59)  # 30 s, then 60 s
    assert webhook_deliveries_retry_due(now=later(200)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 3, 200)
    assert len(receiver.requests) == 3
    # The same delivery id each time, so the receiver can tell a retry from a new event.
    assert len({request.headers["X-Nexus-Delivery"] for request in receiver.requests}) == 1
    log = list(WebhookAttempt.objects.values_list("number", "response_status"))
    assert log == [(1, 500), (2, 503), (3, 200)]
    assert Webhook.objects.get().consecutive_failures == 0


def test_backoff_doubles_up_to_its_cap(settings: Any) -> None:
    settings.NEXUS_WEBHOOK_RETRY_BASE_SECONDS, settings.NEXUS_WEBHOOK_RETRY_MAX_SECONDS = 30, 3600
    assert [webhook_backoff(n).total_seconds() for n in (1, 2, 3, 4, 10)] == [30, 60, 120, 240, 3600]


def test_a_delivery_gives_up_after_its_last_attempt(
    effects: Any, settings: Any, owner: Any, receiver: Any, loopback_allowed: None
) -> None:
    settings.NEXUS_WEBHOOK_MAX_ATTEMPTS = 2
    receiver.statuses = [500, 500, 500]
    hook(owner, receiver.url)
    with effects():
        make_entry(owner)
    webhook_deliveries_retry_due(now=later(31))
    webhook_deliveries_retry_due(now=later(10_000))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 2, None)
    assert len(receiver.requests) == 2


def test_an_unreachable_receiver_is_logged_as_an_error(effects: Any, owner: Any, loopback_allowed: None) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    hook(owner, f"http://127.0.0.1:{port}/hook")
    with effects():
        make_entry(owner)
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_status is None
    assert delivery.error.startswith("ConnectError")


def test_repeated_failure_switches_the_webhook_off_and_tells_its_owner(
    effects: Any, settings: Any, owner: Any, receiver: Any, loopback_allowed: None
) -> None:
    settings.NEXUS_WEBHOOK_DISABLE_AFTER = 3
    receiver.statuses = [410] * 10
    webhook = hook(owner, receiver.url)
    with effects():
        make_entry(owner, title="One")
        make_entry(owner, title="Two")
    with effects():  # the retry that fails a third time, and the owner's e-mail it queues
        webhook_deliveries_retry_due(now=later(31))
    webhook.refresh_from_db()
    assert webhook.is_active is False
    assert webhook.consecutive_failures == 3
    assert "3 failed deliveries" in webhook.disabled_reason
    assert len(receiver.requests) == 3
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"failed"}
    notice = Notification.objects.select_related("event").get(recipient=owner)
    assert notice.event.kind == "webhook.disabled"
    assert notice.event.url == f"/notifications/webhooks/{webhook.pk}/"
    assert [message.to for message in mail.outbox] == [["owner@example.org"]]
    assert "turned off" in mail.outbox[0].subject
    # Nothing more is sent to a switched-off webhook, and nothing is retried.
    with effects():
        make_entry(owner, title="Three")
    assert webhook_deliveries_retry_due(now=later(100_000)) == 0
    assert len(receiver.requests) == 3
    # Switching it back on starts counting again.
    webhook_update(actor=owner, webhook=webhook, data={"is_active": True})
    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.consecutive_failures, webhook.disabled_at) == (True, 0, None)


def test_the_request_goes_to_the_address_that_was_checked(
    effects: Any, owner: Any, receiver: Any, loopback_allowed: None, monkeypatch: Any
) -> None:
    port = int(receiver.url.split(":")[2].split("/")[0])
    webhook = hook(owner, receiver.url)
    Webhook.objects.filter(pk=webhook.pk).update(url=f"http://hooks.example.test:{port}/hook")
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        if host != "hooks.example.test":
            return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[no-any-return]
        lookups.append(host)
        # Answers the checked address first and, were it asked again, a private one.
        address = "127.0.0.1" if len(lookups) == 1 else "10.9.9.9"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with effects():
        make_entry(owner)
    [request] = receiver.requests
    assert request.headers["Host"] == f"hooks.example.test:{port}"
    assert lookups == ["hooks.example.test"]  # one lookup: the connection used its answer
    assert WebhookDelivery.objects.get().status == "succeeded"
