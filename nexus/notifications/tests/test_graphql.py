"""The GraphQL face: the same reads and writes as REST, through the same core."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.knowledge.models import Topic
from nexus.knowledge.services import hub_ensure
from nexus.notifications.models import Event, Follow, Notification, Webhook

INBOX = "query($unread: Boolean!) { notifications(unreadOnly: $unread, limit: 100) { id reason readAt event { kind title actor hub } } unreadNotificationCount }"


def notify(user: Any, n: int, actor: Any) -> None:
    hub = hub_ensure(actor)
    for i in range(n):
        event = Event.objects.create(
            kind="answer.posted", key=f"g{user.pk}:{i}", title=f"Answer {i}", url="/", actor=actor, hub=hub
        )
        Notification.objects.create(recipient=user, event=event, reason="mention")


def test_inbox_read_marks_and_count(graphql_client: Any, owner: Any, member: Any) -> None:
    notify(member, 3, owner)
    answer = graphql_client(INBOX, {"unread": False}, user=member)["data"]
    assert answer["unreadNotificationCount"] == 3
    assert [n["event"]["title"] for n in answer["notifications"]] == ["Answer 2", "Answer 1", "Answer 0"]
    assert answer["notifications"][0]["event"]["actor"] == "owner"
    first = answer["notifications"][0]["id"]
    marked = graphql_client(
        "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }", {"ids": [first]}, user=member
    )
    assert marked["data"] == {"markNotificationsRead": 1}
    assert len(graphql_client(INBOX, {"unread": True}, user=member)["data"]["notifications"]) == 2
    assert graphql_client("mutation { markAllNotificationsRead }", user=member)["data"] == {
        "markAllNotificationsRead": 2
    }


def test_signing_in_is_needed(graphql_client: Any) -> None:
    answer = graphql_client("{ unreadNotificationCount }")
    assert answer["errors"][0]["extensions"]["code"] == "not_authenticated"


def test_inbox_query_count_does_not_grow(graphql_client: Any, owner: Any, member: Any, outsider: Any) -> None:
    notify(member, 10, owner)
    notify(outsider, 100, owner)
    counts = []
    for user in (member, outsider):
        graphql_client(INBOX, {"unread": False}, user=user)
        with CaptureQueriesContext(connection) as queries:
            graphql_client(INBOX, {"unread": False}, user=user)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_follow_unfollow_and_preference(graphql_client: Any, member: Any) -> None:
    topic = Topic.objects.get_or_create(slug="caching", defaults={"name": "Caching"})[0]
    follow = graphql_client(
        'mutation($id: ID!) { follow(targetType: "knowledge.topic", targetId: $id) { targetType targetName } }',
        {"id": str(topic.pk)},
        user=member,
    )
    assert follow["data"]["follow"] == {"targetType": "knowledge.topic", "targetName": "Caching"}
    assert graphql_client("{ follows { targetName } }", user=member)["data"]["follows"] == [{"targetName": "Caching"}]
    missing = graphql_client(
        'mutation { follow(targetType: "knowledge.topic", targetId: "abc") { targetName } }', user=member
    )
    assert missing["errors"][0]["extensions"]["code"] == "follow_target_not_found"
    gone = graphql_client(
        'mutation($id: ID!) { unfollow(targetType: "knowledge.topic", targetId: $id) }',
        {"id": str(topic.pk)},
        user=member,
    )
    assert gone["data"] == {"unfollow": True}
    assert not Follow.objects.exists()
    assert graphql_client("{ notificationPreference }", user=member)["data"] == {"notificationPreference": "daily"}
    bad = graphql_client('mutation { setNotificationPreference(emailFrequency: "hourly") }', user=member)
    assert bad["errors"][0]["extensions"]["code"] == "invalid"
    ok = graphql_client('mutation { setNotificationPreference(emailFrequency: "off") }', user=member)
    assert ok["data"] == {"setNotificationPreference": "off"}


def test_webhooks_through_graphql(graphql_client: Any, settings: Any, owner: Any, member: Any) -> None:
    settings.NEXUS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    hub_ensure(owner)
    created = graphql_client(
        'mutation { createWebhook(input: {name: "Slack", format: "slack", url: "http://127.0.0.1:9/x"}) '
        "{ id hub format isActive events } }",
        user=owner,
    )["data"]["createWebhook"]
    assert (created["hub"], created["format"], created["isActive"]) == ("owner", "slack", True)
    refused = graphql_client(
        'mutation { createWebhook(input: {name: "Meta", url: "http://169.254.169.254/"}) { id } }', user=owner
    )
    assert refused["errors"][0]["extensions"]["code"] == "webhook_url_refused"
    hidden = graphql_client("query($id: ID!) { webhook(id: $id) { name } }", {"id": created["id"]}, user=member)
    assert hidden["errors"][0]["extensions"]["code"] == "webhook_not_found"
    updated = graphql_client(
        "mutation($id: ID!) { updateWebhook(id: $id, input: {isActive: false}) { isActive } }",
        {"id": created["id"]},
        user=owner,
    )
    assert updated["data"] == {"updateWebhook": {"isActive": False}}
    log = graphql_client(
        "query($id: ID!) { webhookDeliveries(webhookId: $id) { status } }", {"id": created["id"]}, user=owner
    )
    assert log["data"] == {"webhookDeliveries": []}
    deleted = graphql_client("mutation($id: ID!) { deleteWebhook(id: $id) }", {"id": created["id"]}, user=owner)
    assert deleted["data"] == {"deleteWebhook": created["id"]}
    assert not Webhook.objects.exists()
