"""The pages: header count, inbox, preference, one-click unsubscribe, follow buttons, webhooks."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nexus.knowledge.models import Topic
from nexus.knowledge.services import hub_ensure
from nexus.notifications.mail import unsubscribe_token
from nexus.notifications.models import Event, Follow, Notification, NotificationPreference, Webhook


def notify(user: Any, n: int) -> None:
    for i in range(n):
        event = Event.objects.create(kind="comment.posted", key=f"p{user.pk}:{i}", title=f"Comment {i}", url=f"/c/{i}/")
        Notification.objects.create(recipient=user, event=event, reason="follow")


@pytest.fixture
def signed_in(client: Client, member: Any) -> Client:
    client.force_login(member)
    return client


def test_header_shows_the_unread_count(signed_in: Client, member: Any) -> None:
    notify(member, 2)
    page = signed_in.get("/").content.decode()
    assert 'id="nav-notifications"' in page
    assert 'aria-label="2 unread"' in page


def test_inbox_lists_and_marks_all_read(signed_in: Client, member: Any) -> None:
    notify(member, 3)
    page = signed_in.get("/notifications/").content.decode()
    assert "Comment 2" in page
    assert page.index("Comment 2") < page.index("Comment 0")
    response = signed_in.post("/notifications/read/", {"all": "1"})
    assert response.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "unread" not in signed_in.get("/").content.decode().split('id="nav-notifications"')[1].split("</a>")[0]


def test_mark_one_read(signed_in: Client, member: Any) -> None:
    notify(member, 2)
    first = Notification.objects.order_by("pk").first()
    assert first is not None
    signed_in.post("/notifications/read/", {"id": str(first.pk), "next": "/notifications/"})
    assert list(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True)) == [first.pk]


def test_inbox_needs_signing_in(client: Client) -> None:
    assert client.get("/notifications/").status_code == 302


def test_bad_paging_is_a_400(signed_in: Client) -> None:
    assert signed_in.get("/notifications/?before=abc").status_code == 400


def test_inbox_query_count_does_not_grow(client: Client, member: Any, outsider: Any) -> None:
    notify(member, 10)
    notify(outsider, 100)
    counts = []
    for user in (member, outsider):
        client.force_login(user)
        client.get("/notifications/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/notifications/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_preference_page(signed_in: Client, member: Any) -> None:
    page = signed_in.get("/notifications/preferences/").content.decode()
    assert 'value="daily"' in page
    signed_in.post("/notifications/preferences/", {"email_frequency": "instant"})
    assert NotificationPreference.objects.get(user=member).email_frequency == "instant"
    response = signed_in.post("/notifications/preferences/", {"email_frequency": "hourly"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=member).email_frequency == "instant"


def test_one_click_unsubscribe_works_without_signing_in_or_csrf(member: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    url = f"/notifications/unsubscribe/{unsubscribe_token(member)}/"
    assert "Unsubscribe" in client.get(url).content.decode()
    assert not NotificationPreference.objects.exists()  # a GET (a link scanner) changes nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=member).email_frequency == "off"


def test_a_tampered_unsubscribe_token_is_a_400(member: Any) -> None:
    token = unsubscribe_token(member)
    response = Client().post(f"/notifications/unsubscribe/{token[:-2]}xx/")
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_follow_buttons_on_topic_and_hub_pages(signed_in: Client, member: Any, owner: Any) -> None:
    topic = Topic.objects.get_or_create(slug="caching", defaults={"name": "Caching"})[0]
    page = signed_in.get("/topics/caching/").content.decode()
    assert 'data-following="no"' in page
    response = signed_in.post(
        "/notifications/follow/",
        {"target_type": "knowledge.topic", "target_id": str(topic.pk), "action": "follow"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-following="yes"' in response.content.decode()
    assert Follow.objects.filter(user=member).count() == 1
    assert 'data-following="yes"' in signed_in.get("/topics/caching/").content.decode()
    hub_ensure(owner)
    assert 'name="target_type" value="knowledge.hub"' in signed_in.get("/h/owner/").content.decode()
    signed_in.post(
        "/notifications/follow/", {"target_type": "knowledge.topic", "target_id": str(topic.pk), "action": "unfollow"}
    )
    assert not Follow.objects.exists()


def test_following_nothing_real_is_a_404(signed_in: Client) -> None:
    response = signed_in.post("/notifications/follow/", {"target_type": "accounts.user", "target_id": "1"})
    assert response.status_code == 404


def test_webhooks_page_adds_shows_and_refuses(signed_in: Client, member: Any, owner: Any, settings: Any) -> None:
    hub_ensure(member)
    page = signed_in.post(
        "/notifications/webhooks/",
        {
            "name": "Meta",
            "format": "json",
            "url": "http://169.254.169.254/",
            "events": ["entry.published"],
            "scope": "hub",
        },
    )
    assert page.status_code == 200
    assert "not a public address" in page.content.decode()
    assert not Webhook.objects.exists()
    settings.NEXUS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    response = signed_in.post(
        "/notifications/webhooks/",
        {
            "name": "Mine",
            "format": "discord",
            "url": "http://127.0.0.1:9/x",
            "events": ["entry.published"],
            "scope": "hub",
        },
    )
    webhook = Webhook.objects.get()
    assert response["Location"] == f"/notifications/webhooks/{webhook.pk}/"
    detail = signed_in.get(response["Location"]).content.decode()
    assert webhook.secret in detail
    signed_in.post(response["Location"], {})  # the switch-off button sends no is_active
    webhook.refresh_from_db()
    assert webhook.is_active is False
    other = Client()
    other.force_login(owner)
    assert other.get(f"/notifications/webhooks/{webhook.pk}/").status_code == 404
    signed_in.post(f"/notifications/webhooks/{webhook.pk}/delete/")
    assert not Webhook.objects.exists()


def test_following_signed_out_goes_to_the_login_page(client: Client) -> None:
    response = client.post("/notifications/follow/", {"target_type": "knowledge.topic", "target_id": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_marking_ids_no_key_can_have_changes_nothing(signed_in: Client, member: Any) -> None:
    notify(member, 1)
    response = signed_in.post("/notifications/read/", {"id": ["9" * 40, "abc", "-1"]})
    assert response.status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
