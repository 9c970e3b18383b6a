"""Learners in Chromium: write an entry with the live preview; suggest, review and merge an edit."""

from __future__ import annotations

import re
from typing import Any

import pytest

from nexus.accounts.tests.factories import UserFactory
from nexus.knowledge.models import EditProposal, Topic
from nexus.knowledge.tests.factories import make_entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough password"


def log_in(page: Any, base_url: str, username: str, next_path: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}{next_path}")


def test_learner_writes_an_entry_with_live_preview(live_server: Any, page: Any) -> None:
    # Transactional tests flush the tables, seeded vocabulary included, after each test.
    Topic.objects.get_or_create(slug="message-queues", defaults={"name": "Message Queues"})
    UserFactory(username="lena", profile__display_name="Lena K.")
    log_in(page, live_server.url, "lena", "/write/")

    page.select_option("#id_kind", "concept")
    page.fill("#id_title", "Idempotent consumers")
    page.fill("#id_summary", "Handle every message at least once, apply it exactly once.")
    page.locator("#id_body").press_sequentially("## Why it matters\n\nBrokers redeliver.", delay=5)
    heading = page.locator("#preview h2")
    heading.wait_for()
    assert heading.text_content() == "Why it matters"
    assert page.locator("#preview p").text_content() == "Brokers redeliver."

    page.select_option("#id_status", "published")
    page.get_by_label("Message Queues").check()
    page.get_by_role("button", name="Save entry").click()
    page.wait_for_url(f"{live_server.url}/h/lena/idempotent-consumers/")
    assert page.get_by_role("link", name="Message Queues").is_visible()
    assert page.locator("h1").text_content() == "Idempotent consumers"
    assert page.locator(".entry-body h2").text_content() == "Why it matters"
    assert "Entry saved." in page.locator(".messages").text_content()

    page.get_by_role("link", name="Lena K.'s Project Nexus").click()
    page.wait_for_url(f"{live_server.url}/h/lena/")
    concepts = page.locator("#concepts")
    assert concepts.locator("h2").text_content() == "Concepts"
    assert concepts.get_by_role("link", name="Idempotent consumers").is_visible()


def test_suggested_edit_is_reviewed_and_merged(live_server: Any, page: Any) -> None:
    owner = UserFactory(username="olive", profile__display_name="Olive O.")
    UserFactory(username="sam", profile__display_name="Sam S.")
    body = "## Setup\n\nInstall Redis.\n\n## Usage\n\nCall cache.get.\n"
    make_entry(owner, title="Caching with Redis", body=body)

    log_in(page, live_server.url, "sam", "/h/olive/caching-with-redis/")
    page.get_by_role("link", name="Suggest an edit").click()
    page.wait_for_url("**/suggest/")
    page.fill("#id_body", body.replace("Install Redis.", "Install Redis 7 with apt."))
    page.fill("#id_message", "Say which Redis to install")
    page.get_by_role("button", name="Send suggestion").click()
    page.wait_for_url(re.compile(r".*/proposals/\d+/$"))
    proposal = EditProposal.objects.get()

    page.context.clear_cookies()
    log_in(page, live_server.url, "olive", "/h/olive/caching-with-redis/")
    page.get_by_role("link", name=re.compile(r"Say which Redis to install")).click()
    page.wait_for_url(f"{live_server.url}/proposals/{proposal.pk}/")
    assert page.locator("h1").text_content() == "Say which Redis to install"
    assert page.locator("table.diff ins").first.text_content() == " 7 with apt"
    page.get_by_role("button", name="Merge").click()

    page.wait_for_url(f"{live_server.url}/h/olive/caching-with-redis/")
    assert "Install Redis 7 with apt." in page.locator(".entry-body").text_content()
    assert f"Merged proposal #{proposal.pk} as revision 2." in page.locator(".messages").text_content()

    page.get_by_role("link", name="History").click()
    page.wait_for_url("**/history/")
    newest = page.locator("table.revisions tbody tr").first
    assert newest.locator(".revision-number").text_content() == "2"
    assert newest.locator(".revision-author").text_content() == "Sam S."
    assert newest.locator(".revision-message").text_content() == (
        f"Merged proposal #{proposal.pk}: Say which Redis to install"
    )
