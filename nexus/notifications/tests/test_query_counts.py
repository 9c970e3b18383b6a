"""Every list of this app, in every face, costs the same number of queries for 10 items as
for 100: follows (targets of several kinds), webhooks and delivery logs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import bearer
from nexus.accounts.tests.factories import UserFactory
from nexus.knowledge.models import Hub, Technology, Topic
from nexus.knowledge.services import hub_ensure
from nexus.notifications.models import Event, Follow, Webhook, WebhookDelivery


def queries(run: Callable[[], Any]) -> int:
    run()  # warms per-user caches (roles) that both sizes share
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def follows(user: Any, n: int) -> None:
    for i in range(n):
        Follow.objects.create(user=user, target=Topic.objects.create(name=f"{user.username} {i}", slug=f"{user}-{i}"))
    Follow.objects.create(user=user, target=Technology.objects.create(name=f"{user} tech", slug=f"{user}-tech"))
    Follow.objects.create(user=user, target=hub_ensure(UserFactory(username=f"{user}-hub")))


def webhooks(admin: Any, n: int, tag: str) -> list[Webhook]:
    hooks = []
    for i in range(n):
        hub = hub_ensure(UserFactory(username=f"{tag}{i}")) if i % 2 else None
        hooks.append(
            Webhook.objects.create(hub=hub, owner=admin, name=f"{tag}{i}", url="https://example.com/", secret="s")
        )
    return hooks


def deliveries(webhook: Webhook, n: int, hub: Hub) -> None:
    for i in range(n):
        event = Event.objects.create(
            kind="entry.published", key=f"{webhook.pk}:{i}", title=f"E{i}", url="/", actor=hub.owner, hub=hub
        )
        WebhookDelivery.objects.create(webhook=webhook, event=event)


@pytest.fixture
def two_sizes(member: Any, outsider: Any) -> tuple[Any, Any]:
    follows(member, 10)
    follows(outsider, 100)
    return member, outsider


def test_follow_lists(api_client: Any, graphql_client: Any, client: Client, two_sizes: tuple[Any, Any]) -> None:
    rest, gql, pages = [], [], []
    for user in two_sizes:
        rest.append(queries(lambda u=user: api_client.get("/api/v1/follows?page_size=100", **bearer(u))))
        gql.append(queries(lambda u=user: graphql_client("{ follows(limit: 100) { targetName } }", user=u)))
        client.force_login(user)
        pages.append(queries(lambda: client.get("/notifications/follows/")))
    assert rest[0] == rest[1]
    assert gql[0] == gql[1]
    assert pages[0] == pages[1]


def test_webhook_lists(api_client: Any, graphql_client: Any, client: Client, db: None) -> None:
    few_admin = UserFactory(username="fewadmin", roles=["admin"])
    many_admin = UserFactory(username="manyadmin", roles=["admin"])
    rest, gql, pages = [], [], []
    for admin, n, tag in ((few_admin, 10, "f"), (many_admin, 100, "m")):
        Webhook.objects.all().delete()
        webhooks(admin, n, tag)
        rest.append(queries(lambda a=admin: api_client.get("/api/v1/webhooks?page_size=100", **bearer(a))))
        gql.append(queries(lambda a=admin: graphql_client("{ webhooks(limit: 100) { name hub } }", user=a)))
        client.force_login(admin)
        pages.append(queries(lambda: client.get("/notifications/webhooks/")))
    assert rest[0] == rest[1]
    assert gql[0] == gql[1]
    assert pages[0] == pages[1]


def test_delivery_logs(graphql_client: Any, client: Client, owner: Any) -> None:
    hub = hub_ensure(owner)
    few = Webhook.objects.create(hub=hub, owner=owner, name="few", url="https://example.com/", secret="s")
    many = Webhook.objects.create(hub=hub, owner=owner, name="many", url="https://example.com/", secret="s")
    deliveries(few, 10, hub)
    deliveries(many, 100, hub)
    client.force_login(owner)
    query = "query($id: ID!) { webhookDeliveries(webhookId: $id, limit: 100) { status event { title actor hub } } }"
    gql = [queries(lambda w=hook: graphql_client(query, {"id": str(w.pk)}, user=owner)) for hook in (few, many)]
    pages = [queries(lambda w=hook: client.get(f"/notifications/webhooks/{w.pk}/")) for hook in (few, many)]
    assert gql[0] == gql[1]
    assert pages[0] == pages[1]
