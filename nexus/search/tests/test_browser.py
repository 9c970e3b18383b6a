"""Search in Chromium: results as you type, from the header box, and related entries."""

from __future__ import annotations

from typing import Any

import pytest

from nexus.accounts.tests.factories import UserFactory
from nexus.knowledge.tests.factories import make_entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_results_appear_as_you_type_and_the_header_box_searches(live_server: Any, page: Any) -> None:
    owner = UserFactory(username="lena", profile__display_name="Lena K.")
    entry = make_entry(owner, title="Idempotent consumers", body="Brokers redeliver, so `acks_late` is safe.\n")
    make_entry(owner, title="Consumer groups", body="Several idempotent workers share a queue.\n")

    page.goto(f"{live_server.url}/search/")
    page.locator("#search-q").press_sequentially("acks_late", delay=20)
    hit = page.locator(".search-hit h3 a").first
    hit.wait_for()
    assert hit.text_content() == "Idempotent consumers"
    assert "q=acks_late" in page.url  # the address follows the query

    page.goto(f"{live_server.url}/h/lena/{entry.slug}/")
    related = page.locator(".related-block li a")
    related.first.wait_for()
    assert related.first.text_content() == "Consumer groups"

    page.fill("#site-search-q", "consumer")
    page.press("#site-search-q", "Enter")
    page.wait_for_url(f"{live_server.url}/search/?q=consumer")
    titles = page.locator(".search-hit h3 a").all_text_contents()
    assert {"Idempotent consumers", "Consumer groups"} <= set(titles)
