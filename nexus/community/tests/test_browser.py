"""Learners in Chromium: ask, answer, accept and promote a question; announce a project,
find a collaborator and accept their request."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from nexus.accounts.tests.factories import UserFactory
from nexus.community.models import Project, Question
from nexus.knowledge.models import Technology
from nexus.knowledge.tests.factories import make_entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough password"


def log_in(page: Any, base_url: str, username: str, next_path: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}{next_path}")


def test_ask_answer_accept_and_promote(live_server: Any, page: Any) -> None:
    UserFactory(username="asha", profile__display_name="Asha N.")
    UserFactory(username="bruno", profile__display_name="Bruno P.")

    log_in(page, live_server.url, "asha", "/questions/ask/")
    page.fill("#id_title", "Why does my list view run 101 queries?")
    page.fill("#id_body", "One query for the list, then **one per row** for the author.")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_url(re.compile(r".*/questions/\d+/$"))
    question = Question.objects.get()
    assert page.locator("h1").text_content() == "Why does my list view run 101 queries?"

    log_in(page, live_server.url, "bruno", f"/questions/{question.pk}/")
    page.fill("#id_body", "Add `select_related('author')` to the queryset.")
    page.get_by_role("button", name="Post answer").click()
    answer = page.locator("#answers .answer")
    answer.wait_for()
    assert "select_related('author')" in answer.locator(".prose").text_content()
    assert page.locator("#id_body").input_value() == ""  # htmx appended it and cleared the form

    log_in(page, live_server.url, "asha", f"/questions/{question.pk}/")
    page.get_by_role("button", name="Vote up").click()
    page.locator("#answers .score", has_text="1").wait_for()
    page.get_by_role("button", name="Accept this answer").click()
    page.locator(".accepted-badge").wait_for()
    page.get_by_role("button", name="Turn into a challenge entry").click()
    page.wait_for_url(f"{live_server.url}/h/asha/why-does-my-list-view-run-101-queries/")
    assert page.locator(".badge.kind").first.text_content() == "Challenge"
    assert "select_related('author')" in page.locator(".entry-body").text_content()
    assert page.get_by_role("link", name="Bruno P.").first.is_visible()
    page.locator(".linked-question").get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/questions/{question.pk}/")
    assert "This question became the entry" in page.locator(".linked-entry").text_content()


def test_announce_a_project_and_accept_a_collaboration_request(live_server: Any, page: Any) -> None:
    # Transactional tests flush the tables, the seeded projects and vocabulary included.
    Project.objects.get_or_create(slug="online-poll", defaults={"title": "Online poll", "is_capstone": True})
    Technology.objects.get_or_create(slug="graphql", defaults={"name": "GraphQL"})
    UserFactory(username="dawit", profile__display_name="Dawit B.", profile__track="backend")
    UserFactory(username="tomas", profile__display_name="Tomas L.", profile__track="frontend")

    log_in(page, live_server.url, "dawit", "/projects/online-poll/")
    page.select_option("#id_track", "backend")
    page.get_by_label("GraphQL").check()
    page.fill("#id_timezone", "Africa/Addis_Ababa")
    page.fill("#id_api_docs_url", "https://poll.example/api/docs/")
    page.get_by_role("button", name="Announce").click()
    page.wait_for_url(f"{live_server.url}/projects/online-poll/")
    assert "Announced." in page.locator(".messages").text_content()

    log_in(page, live_server.url, "tomas", "/projects/online-poll/")
    page.select_option("#id_track", "frontend")
    page.get_by_label("GraphQL").check()
    page.fill("#id_timezone", "Europe/Stockholm")
    page.get_by_role("button", name="Announce").click()
    page.wait_for_url(f"{live_server.url}/projects/online-poll/")
    matches = page.locator(".matches")
    assert "Dawit B." in matches.text_content()
    assert "1 shared technology" in matches.text_content()
    matches.locator("textarea").fill("I build the voting screen in React; want to use your API?")
    page.get_by_role("button", name="Ask Dawit B. to collaborate").click()
    page.wait_for_url(f"{live_server.url}/projects/online-poll/")

    log_in(page, live_server.url, "dawit", "/requests/")
    assert "I build the voting screen in React" in page.locator(".request").first.text_content()
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url(re.compile(r".*/teams/\d+/$"))
    assert page.locator("h1").text_content() == "Team on Online poll"
    assert page.get_by_role("link", name="https://poll.example/api/docs/").is_visible()
    members = page.locator(".people").text_content()
    assert "Dawit B." in members
    assert "Tomas L." in members


def test_discuss_an_entry_reply_and_see_your_own_controls(live_server: Any, page: Any) -> None:
    owner = UserFactory(username="olive", profile__display_name="Olive O.")
    UserFactory(username="sam", profile__display_name="Sam S.")
    make_entry(owner, title="Caching with Redis")
    log_in(page, live_server.url, "sam", "/h/olive/caching-with-redis/")
    page.fill("#id_body", "Which **eviction** policy?")
    page.get_by_role("button", name="Comment", exact=True).click()
    first = page.locator("#comments article.comment").first
    first.locator("strong", has_text="eviction").wait_for()

    log_in(page, live_server.url, "olive", "/h/olive/caching-with-redis/")
    first = page.locator("#comments article.comment").first
    assert first.get_by_role("link", name="Edit").is_hidden()  # not hers to edit...
    assert first.get_by_role("button", name="Delete").is_visible()  # ...but her page to moderate
    first.get_by_role("button", name="Helpful").click()
    page.locator("#comments .reaction.on", has_text="1").wait_for()
    first.get_by_role("link", name="Reply").click()
    page.fill(".reply-form textarea", "allkeys-lru, with a maxmemory set.")
    page.get_by_role("button", name="Reply", exact=True).click()
    page.locator(".replies article.comment", has_text="allkeys-lru").wait_for()

    page.reload()  # the thread comes from the cache; what is hers is applied by discussion.js
    reply = page.locator(".replies article.comment").first
    assert reply.get_by_role("link", name="Edit").is_visible()
    helpful = page.locator("#comments article.comment").first.locator(".comment-actions .reaction.on")
    assert helpful.get_attribute("aria-pressed") == "true"


def test_show_more_comments_appends_the_next_page_with_your_own_controls(live_server: Any, page: Any) -> None:
    from nexus.community.selectors import THREADS_PER_PAGE
    from nexus.community.services import reaction_set
    from nexus.community.tests.factories import make_comment

    owner = UserFactory(username="olive", profile__display_name="Olive O.")
    sam = UserFactory(username="sam", profile__display_name="Sam S.")
    entry = make_entry(owner, title="Caching with Redis")
    for number in range(THREADS_PER_PAGE):
        make_comment(UserFactory(), entry, f"Early thought {number}")
    own = make_comment(sam, entry, "My late question")
    reaction_set(actor=sam, target=make_comment(owner, entry, "A late answer"), kind="helpful")

    log_in(page, live_server.url, "sam", "/h/olive/caching-with-redis/")
    assert page.locator("#comments article.comment").count() == THREADS_PER_PAGE
    page.get_by_role("link", name="Show 2 more comments").click()
    late = page.locator(f"#comment-{own.pk}")
    late.wait_for()
    # Waiting assertions: discussion.js applies the reader's state after htmx settles, a
    # moment after the appended comments appear.
    expect(page.locator("#comments article.comment")).to_have_count(THREADS_PER_PAGE + 2)
    expect(page.locator("#more-comments a")).to_have_count(0)  # the last page: the pager is gone
    expect(late.get_by_role("link", name="Edit")).to_be_visible()  # what is his is applied to it
    answer = page.locator("#comments article.comment").last
    expect(answer.locator(".reaction.on")).to_have_attribute("aria-pressed", "true")
    answer.get_by_role("button", name="Thanks").click()  # and its forms carry his token
    answer.locator(".reaction.on", has_text="1").nth(1).wait_for()


def test_discuss_a_suggested_edit_reply_react_and_review_with_a_comment(live_server: Any, page: Any) -> None:
    from nexus.knowledge.services import proposal_create

    owner = UserFactory(username="olive", profile__display_name="Olive O.")
    sam = UserFactory(username="sam", profile__display_name="Sam S.")
    entry = make_entry(owner, title="Caching with Redis", body="Install Redis.\n")
    proposal = proposal_create(actor=sam, entry=entry, data={"body": "Install Redis 7.\n"}, base_version=1, message="m")
    url = f"/proposals/{proposal.pk}/"

    log_in(page, live_server.url, "sam", url)
    page.fill("#id_body", "Why **seven**?")
    page.get_by_role("button", name="Comment", exact=True).click()
    first = page.locator("#comments article.comment").first
    first.locator("strong", has_text="seven").wait_for()

    log_in(page, live_server.url, "olive", url)
    first = page.locator("#comments article.comment").first
    assert first.get_by_role("link", name="Edit").is_hidden()  # not hers to edit...
    assert first.get_by_role("button", name="Delete").is_visible()  # ...but hers to review
    first.get_by_role("button", name="Thanks").click()
    page.locator("#comments .reaction.on", has_text="1").wait_for()
    first.get_by_role("link", name="Reply").click()
    page.fill(".reply-form textarea", "It has the new LRU.")
    page.get_by_role("button", name="Reply", exact=True).click()
    page.locator(".replies article.comment", has_text="new LRU").wait_for()

    page.fill("#review-comment", "Say it in the text, please.")
    page.get_by_role("button", name="Request changes").click()
    page.wait_for_url(f"{live_server.url}{url}")
    assert "Say it in the text, please." in page.locator("#comments").text_content()
    assert page.locator(".replies article.comment").first.get_by_role("link", name="Edit").is_visible()
    # The entry's own thread knows nothing of it.
    page.goto(f"{live_server.url}/h/olive/caching-with-redis/")
    assert "new LRU" not in page.locator("#discussion").text_content()
