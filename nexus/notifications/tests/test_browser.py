"""A learner in Chromium follows a topic, sees the unread count, reads and clears the inbox."""

from __future__ import annotations

from typing import Any

import pytest

from nexus.accounts.tests.factories import UserFactory
from nexus.knowledge.models import Topic
from nexus.knowledge.tests.factories import make_entry
from nexus.notifications.models import Follow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough password"


def test_follow_a_topic_then_read_what_happened(live_server: Any, page: Any, settings: Any) -> None:
    settings.NEXUS_TASKS_MODE = "inline"  # effects right after commit, in the server's process
    Topic.objects.get_or_create(slug="message-queues", defaults={"name": "Message Queues"})
    reader = UserFactory(username="rosa")
    writer = UserFactory(username="wes", profile__display_name="Wes W.")
    page.goto(f"{live_server.url}/accounts/login/?next=/topics/message-queues/")
    page.fill("#id_username", "rosa")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/topics/message-queues/")

    page.get_by_role("button", name="Follow").click()
    following = page.get_by_role("button", name="Following ✓")
    following.wait_for()  # htmx swapped the button in place
    assert Follow.objects.filter(user=reader).count() == 1

    make_entry(writer, title="Dead-letter queues", topics=["message-queues"])
    page.goto(f"{live_server.url}/")
    badge = page.locator("#nav-notifications .badge")
    assert badge.text_content() == "1"
    page.locator("#nav-notifications").click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    assert page.get_by_role("link", name="Dead-letter queues").is_visible()
    page.get_by_role("button", name="Mark all read").click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    assert "Marked 1 notification read." in page.locator(".messages").text_content()
    assert page.locator("#nav-notifications .badge").count() == 0
