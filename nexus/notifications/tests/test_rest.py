"""The REST face: inbox, read marks, follows, preference, webhooks and deliveries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import bearer
from nexus.accounts.tests.factories import UserFactory
from nexus.knowledge.models import Technology, Topic, Visibility
from nexus.knowledge.services import hub_ensure, hub_update
from nexus.notifications.models import Event, Follow, Notification, Webhook, WebhookDelivery

API = "/api/v1"


def notify(user: Any, n: int, *, actor: Any = None) -> None:
    hub = hub_ensure(actor) if actor is not None else None
    for i in range(n):
        event = Event.objects.create(
            kind="entry.published", key=f"e{user.pk}:{i}:{n}", title=f"Entry {i}", url=f"/e/{i}/", actor=actor, hub=hub
        )
        Notification.objects.create(recipient=user, event=event, reason="follow")


def count_queries(api_client: Any, url: str, user: Any) -> int:
    api_client.get(url, **bearer(user))  # warms the per-user caches (roles) both runs share
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(url, **bearer(user))
    assert response.status_code == 200, response.content
    return len(queries)


def test_inbox_lists_only_mine_newest_first_and_counts_unread(api_client: Any, owner: Any, member: Any) -> None:
    notify(member, 3, actor=owner)
    notify(owner, 1)
    response = api_client.get(f"{API}/notifications", **bearer(member))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [item["event"]["title"] for item in results] == ["Entry 2", "Entry 1", "Entry 0"]
    assert results[0]["event"]["actor"] == "owner"
    assert results[0]["event"]["hub"] == "Olive Owner's Project Nexus"
    assert api_client.get(f"{API}/notifications/unread-count", **bearer(member)).json() == {
        "unread": 3,
        "capped": False,
    }


def test_marking_read_one_and_all(api_client: Any, owner: Any, member: Any) -> None:
    notify(member, 3)
    notify(owner, 1)
    ids = list(Notification.objects.filter(recipient=member).values_list("pk", flat=True))
    others = list(Notification.objects.filter(recipient=owner).values_list("pk", flat=True))
    response = api_client.post(f"{API}/notifications/read", {"ids": [ids[0], *others]}, format="json", **bearer(member))
    assert response.json() == {"marked": 1}
    assert Notification.objects.get(pk=others[0]).read_at is None  # someone else's: untouched
    unread = api_client.get(f"{API}/notifications?unread=true", **bearer(member)).json()["results"]
    assert len(unread) == 2
    assert api_client.post(f"{API}/notifications/read-all", **bearer(member)).json() == {"marked": 2}
    assert api_client.get(f"{API}/notifications/unread-count", **bearer(member)).json()["unread"] == 0


def test_mark_read_bad_input_is_a_400(api_client: Any, member: Any) -> None:
    for body in ({"ids": "all"}, {"ids": [0]}, {"ids": [1], "everything": True}, {"ids": list(range(1, 102))}):
        response = api_client.post(f"{API}/notifications/read", body, format="json", **bearer(member))
        assert response.status_code == 400, body
        assert response.json()["error"]["code"]


def test_the_inbox_needs_signing_in(api_client: Any) -> None:
    assert api_client.get(f"{API}/notifications").status_code == 401


def test_unread_count_is_capped(api_client: Any, member: Any) -> None:
    notify(member, 101)
    assert api_client.get(f"{API}/notifications/unread-count", **bearer(member)).json() == {
        "unread": 100,
        "capped": True,
    }


def test_inbox_query_count_does_not_grow(api_client: Any, owner: Any, member: Any, outsider: Any) -> None:
    notify(member, 10, actor=owner)
    notify(outsider, 100, actor=owner)
    url = f"{API}/notifications?page_size=100"
    assert count_queries(api_client, url, member) == count_queries(api_client, url, outsider)


# --- Follows ----------------------------------------------------------------------------------


def test_follow_and_unfollow_topics_technologies_and_hubs(api_client: Any, owner: Any, member: Any) -> None:
    topic = Topic.objects.get_or_create(slug="caching", defaults={"name": "Caching"})[0]
    technology = Technology.objects.get_or_create(slug="redis", defaults={"name": "Redis"})[0]
    hub = hub_ensure(owner)
    for target_type, target in (
        ("knowledge.topic", topic),
        ("knowledge.technology", technology),
        ("knowledge.hub", hub),
    ):
        body = {"target_type": target_type, "target_id": target.pk}
        response = api_client.post(f"{API}/follows", body, format="json", **bearer(member))
        assert response.status_code == 201, response.content
        assert response.json()["target_type"] == target_type
    again = api_client.post(
        f"{API}/follows", {"target_type": "knowledge.topic", "target_id": topic.pk}, format="json", **bearer(member)
    )
    assert again.status_code == 201  # following twice is following
    listed = api_client.get(f"{API}/follows", **bearer(member)).json()["results"]
    assert [item["target_name"] for item in listed] == [hub.title, "Redis", "Caching"]
    response = api_client.delete(f"{API}/follows/knowledge.topic/{topic.pk}", **bearer(member))
    assert response.status_code == 204
    assert Follow.objects.filter(user=member).count() == 2


def test_following_what_cannot_be_followed_or_seen_is_not_found(api_client: Any, owner: Any, member: Any) -> None:
    hub = hub_ensure(owner)
    hub_update(actor=owner, hub=hub, data={"visibility": Visibility.PRIVATE})
    for body in (
        {"target_type": "knowledge.hub", "target_id": hub.pk},
        {"target_type": "accounts.user", "target_id": owner.pk},
        {"target_type": "knowledge.topic", "target_id": 999999},
        {"target_type": "nonsense", "target_id": 1},
    ):
        response = api_client.post(f"{API}/follows", body, format="json", **bearer(member))
        assert response.status_code == 404, body
        assert response.json()["error"]["code"] == "follow_target_not_found"
    assert not Follow.objects.exists()
    bad = api_client.post(f"{API}/follows", {"target_type": "knowledge.topic"}, format="json", **bearer(member))
    assert bad.status_code == 400


def test_follow_list_query_count_does_not_grow(api_client: Any, member: Any, outsider: Any) -> None:
    topics = [Topic.objects.create(name=f"Subject {i}", slug=f"subject-{i}") for i in range(100)]
    for topic in topics[:10]:
        Follow.objects.create(user=member, target=topic)
    for topic in topics:
        Follow.objects.create(user=outsider, target=topic)
    hub = hub_ensure(UserFactory(username="someone"))
    Follow.objects.create(user=member, target=hub)
    Follow.objects.create(user=outsider, target=hub)
    url = f"{API}/follows?page_size=100"
    assert count_queries(api_client, url, member) == count_queries(api_client, url, outsider)


# --- Preference -------------------------------------------------------------------------------


def test_preference_defaults_to_daily_and_changes(api_client: Any, member: Any) -> None:
    url = f"{API}/notifications/preferences"
    assert api_client.get(url, **bearer(member)).json() == {"email_frequency": "daily"}
    response = api_client.put(url, {"email_frequency": "weekly"}, format="json", **bearer(member))
    assert response.json() == {"email_frequency": "weekly"}
    bad = api_client.put(url, {"email_frequency": "hourly"}, format="json", **bearer(member))
    assert bad.status_code == 400
    assert "email_frequency" in bad.json()["error"]["details"]
    assert api_client.get(url, **bearer(member)).json() == {"email_frequency": "weekly"}


# --- Webhooks ---------------------------------------------------------------------------------


@pytest.fixture
def allow_loopback(settings: Any) -> None:
    settings.NEXUS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


def test_webhook_lifecycle(api_client: Any, owner: Any, allow_loopback: None) -> None:
    hub_ensure(owner)
    body = {"name": "Discord", "format": "discord", "url": "http://127.0.0.1:9/x", "events": ["entry.published"]}
    response = api_client.post(f"{API}/webhooks", body, format="json", **bearer(owner))
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["hub"], created["format"], created["events"], created["is_active"]) == (
        "owner",
        "discord",
        ["entry.published"],
        True,
    )
    assert len(created["secret"]) >= 32
    url = f"{API}/webhooks/{created['id']}"
    response = api_client.patch(url, {"is_active": False, "name": "Quiet"}, format="json", **bearer(owner))
    assert (response.json()["is_active"], response.json()["name"]) == (False, "Quiet")
    assert api_client.get(f"{API}/webhooks", **bearer(owner)).json()["results"][0]["name"] == "Quiet"
    assert api_client.delete(url, **bearer(owner)).status_code == 204
    assert not Webhook.objects.exists()


def test_webhook_bad_input_and_refused_urls(api_client: Any, owner: Any) -> None:
    hub_ensure(owner)
    for body, field in (
        ({"name": "x", "url": "http://127.0.0.1/x"}, "url"),
        ({"name": "x", "url": "http://169.254.169.254/"}, "url"),
        ({"name": "x", "url": "gopher://example.com/"}, "url"),
        ({"name": "x", "url": "http://127.0.0.1/x", "allow_private_network": True}, "allow_private_network"),
        ({"name": "x", "url": "http://127.0.0.1/x", "events": ["nope"]}, "events"),
        ({"url": "http://127.0.0.1/x"}, "name"),
        ({"name": "x", "url": "http://127.0.0.1/x", "colour": "red"}, "colour"),
    ):
        response = api_client.post(f"{API}/webhooks", body, format="json", **bearer(owner))
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["error"]["details"], (body, response.json())
    assert not Webhook.objects.exists()


def test_other_peoples_webhooks_do_not_exist_to_you(
    api_client: Any, owner: Any, member: Any, allow_loopback: None
) -> None:
    hub_ensure(owner)
    created = api_client.post(
        f"{API}/webhooks", {"name": "x", "url": "http://127.0.0.1/x"}, format="json", **bearer(owner)
    ).json()
    for method in ("get", "patch", "delete"):
        response = getattr(api_client, method)(f"{API}/webhooks/{created['id']}", **bearer(member))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "webhook_not_found"
    assert api_client.get(f"{API}/webhooks/{created['id']}/deliveries", **bearer(member)).status_code == 404
    assert api_client.get(f"{API}/webhooks", **bearer(member)).json()["results"] == []
    hub_ensure(member)
    response = api_client.post(
        f"{API}/webhooks", {"hub": "owner", "name": "x", "url": "http://127.0.0.1/x"}, format="json", **bearer(member)
    )
    assert response.status_code == 403
    site = api_client.post(
        f"{API}/webhooks", {"hub": None, "name": "x", "url": "http://127.0.0.1/x"}, format="json", **bearer(member)
    )
    assert site.status_code == 403


def test_delivery_log_query_count_does_not_grow(api_client: Any, owner: Any, allow_loopback: None) -> None:
    hub = hub_ensure(owner)
    few = Webhook.objects.create(hub=hub, owner=owner, name="few", url="http://127.0.0.1/x", secret="s")
    many = Webhook.objects.create(hub=hub, owner=owner, name="many", url="http://127.0.0.1/y", secret="s")
    for i in range(100):
        event = Event.objects.create(kind="entry.published", key=f"d{i}", title=f"E{i}", url="/", actor=owner, hub=hub)
        if i < 10:
            WebhookDelivery.objects.create(webhook=few, event=event, response_status=200, response_ms=3)
        WebhookDelivery.objects.create(webhook=many, event=event, response_status=500, error="HTTP 500")
    counts = [
        count_queries(api_client, f"{API}/webhooks/{hook.pk}/deliveries?page_size=100", owner) for hook in (few, many)
    ]
    assert counts[0] == counts[1]
    results = api_client.get(f"{API}/webhooks/{few.pk}/deliveries", **bearer(owner)).json()["results"]
    assert (results[0]["response_status"], results[0]["response_ms"], results[0]["event"]["title"]) == (200, 3, "E9")
