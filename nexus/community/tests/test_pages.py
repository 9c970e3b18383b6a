"""Community pages through the test client: the discussion on an entry page (with a flat
query count for 10 and 200 comments), Q&A pages, the projects board, inbox and team page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from nexus.accounts.services import profile_update
from nexus.accounts.tests.factories import UserFactory
from nexus.community.models import Answer, CollaborationRequest, Comment, Question
from nexus.community.selectors import THREADS_PER_PAGE
from nexus.community.services import (
    answer_accept,
    collaboration_request_send,
    comment_delete,
    comment_edit,
    question_promote,
    reaction_set,
)
from nexus.community.tests.factories import make_announcement, make_answer, make_comment, make_question
from nexus.knowledge.models import EntryKind
from nexus.knowledge.services import entry_set_status
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_queries(client: Client, url: str) -> tuple[int, str]:
    client.get(url)  # warm the per-process caches (roles, IP rules) the first request fills
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_entry_page_shows_the_thread_with_a_flat_query_count(owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    first = make_comment(member, entry, "Top **one**")
    make_comment(owner, entry, "A reply", parent=first)
    for number in range(8):
        make_comment(UserFactory(), entry, f"c{number}")
    client = signed_in(member)
    url = "/h/owner/caching-strategies/"
    few, html = page_queries(client, url)
    assert "<strong>one</strong>" in html
    assert re.search(rf'id="replies-{first.pk}">\s*<article class="comment" id="comment-', html)
    for number in range(190):
        make_comment(UserFactory(), entry, f"more {number}")
    many, html = page_queries(client, url)
    # 199 top-level comments: the page shows the first THREADS_PER_PAGE, one with its reply.
    assert html.count('class="comment"') == THREADS_PER_PAGE + 1
    assert f"Show {199 - THREADS_PER_PAGE} more comments" in html
    assert few == many


def _long_discussion(entry: Any) -> list[Comment]:
    """45 top-level comments (three pages), the 21st (the first of page 2) with a reply."""
    roots = [make_comment(UserFactory(), entry, f"Thread {number}") for number in range(1, 46)]
    make_comment(UserFactory(), entry, "A reply on page two", parent=roots[20])
    return roots


def articles(html: str) -> list[str]:
    return re.findall(
        r'<article class="comment" id="comment-\d+" data-id="\d+">\s*<p class="byline">.*?<p>(.*?)</p>', html, re.S
    )


def test_a_long_discussion_is_read_a_page_of_threads_at_a_time(owner: Any) -> None:
    entry = make_entry(owner)
    _long_discussion(entry)
    url = "/h/owner/caching-strategies/"
    client = Client()
    first = client.get(url).content.decode()
    assert articles(first) == [f"Thread {number}" for number in range(1, 21)]
    assert 'id="comment-count">46<' in first
    assert "Earlier comments" not in first
    assert f'href="?comments=2#discussion" hx-get="/entries/{entry.pk}/discussion/?page=2"' in first
    assert "Show 26 more comments" in first  # 25 top-level comments and a reply

    more = client.get(f"/entries/{entry.pk}/discussion/?page=2", **HTMX).content.decode()
    assert articles(more) == ["Thread 21", "A reply on page two", *(f"Thread {number}" for number in range(22, 41))]
    assert 'id="more-comments" hx-swap-oob="true"' in more
    assert "Show 5 more comments" in more
    last = client.get(f"/entries/{entry.pk}/discussion/?page=3", **HTMX).content.decode()
    assert articles(last) == [f"Thread {number}" for number in range(41, 46)]
    assert re.search(r'<p class="thread-pager" id="more-comments" hx-swap-oob="true"></p>', last)

    # Without scripts the link opens the entry page at that page of the discussion.
    opened = client.get(f"/entries/{entry.pk}/discussion/?page=3")
    assert opened.status_code == 302
    assert opened["Location"] == f"{url}?comments=3#discussion"
    page_three = client.get(f"{url}?comments=3").content.decode()
    assert articles(page_three) == [f"Thread {number}" for number in range(41, 46)]
    assert 'href="?comments=2#discussion">Earlier comments</a>' in page_three
    assert "page 3 of 3" in page_three
    # A page past the end is the last one; anything but a number is the first.
    assert articles(client.get(f"{url}?comments=99999").content.decode()) == articles(page_three)
    for junk in ("abc", "-1", "0", "1e9", "%00", "9" * 40):
        assert articles(client.get(f"{url}?comments={junk}").content.decode()) == articles(first)
        assert client.get(f"/entries/{entry.pk}/discussion/?page={junk}", **HTMX).status_code == 200
    # The page around the discussion is memoised for anonymous readers; the discussion is not.
    make_comment(UserFactory(), entry, "Thread 46")
    assert 'id="comment-count">47<' in client.get(url).content.decode()
    assert articles(client.get(f"{url}?comments=3").content.decode())[-1] == "Thread 46"


def test_a_later_page_follows_writes_and_links_to_a_comment_open_the_page_that_shows_it(
    owner: Any, member: Any
) -> None:
    entry = make_entry(owner)
    roots = _long_discussion(entry)
    client = signed_in(member)
    assert "Late reply" not in client.get(f"/entries/{entry.pk}/discussion/?page=2", **HTMX).content.decode()
    posted = client.post(f"/entries/{entry.pk}/comments/", {"body": "Late reply", "parent": roots[25].pk})
    reply = Comment.objects.get(body="Late reply")
    assert posted["Location"] == f"/h/owner/caching-strategies/?comments=2#comment-{reply.pk}"
    assert "Late reply" in client.get(f"/entries/{entry.pk}/discussion/?page=2", **HTMX).content.decode()
    assert "Late reply" in client.get(posted["Location"]).content.decode()
    # On the first page a link is the entry page itself.
    early = client.post(f"/entries/{entry.pk}/comments/", {"body": "Early reply", "parent": roots[3].pk})
    assert early["Location"] == f"/h/owner/caching-strategies/#comment-{Comment.objects.get(body='Early reply').pk}"


def test_a_page_of_a_hidden_entry_is_not_found(owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    make_comment(owner, entry, "Before it was a draft")
    entry_set_status(actor=owner, entry=entry, status="draft")
    for client in (Client(), signed_in(member)):
        assert client.get(f"/entries/{entry.pk}/discussion/?page=1", **HTMX).status_code == 404
    assert client.post(f"/entries/{entry.pk}/discussion/?page=1", **HTMX).status_code == 405


def test_without_scripts_a_reader_still_finds_edit_and_delete_for_their_own_comments(owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    mine = make_comment(member, entry, "Mine")
    theirs = make_comment(owner, entry, "Theirs")
    html = signed_in(member).get("/h/owner/caching-strategies/").content.decode()
    fallback = html[html.index("<noscript>") : html.index("</noscript>")]
    assert f'href="/comments/{mine.pk}/edit/"' in fallback
    assert f'action="/comments/{mine.pk}/delete/"' in fallback
    assert f"/comments/{theirs.pk}/" not in fallback
    assert "<noscript>" not in Client().get("/h/owner/caching-strategies/").content.decode()  # nothing of theirs


def test_deleted_comment_is_a_placeholder_and_replies_stay(owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    parent = make_comment(member, entry, "Secret words")
    make_comment(owner, entry, "Still here", parent=parent)
    comment_delete(actor=member, comment=parent)
    html = Client().get("/h/owner/caching-strategies/").content.decode()
    assert "Comment deleted." in html
    assert "Secret words" not in html
    assert "Still here" in html


def test_commenting_with_htmx_returns_the_new_comment(owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    client = signed_in(member)
    response = client.post(f"/entries/{entry.pk}/comments/", {"body": "Hello @owner"}, **HTMX)
    assert response.status_code == 201
    assert "Hello @owner" in response.content.decode()
    plain = client.post(f"/entries/{entry.pk}/comments/", {"body": "No htmx"})
    assert plain.status_code == 302
    oversized = client.post(f"/entries/{entry.pk}/comments/", {"body": "a" * 20_001}, **HTMX)
    assert oversized.status_code == 400
    assert "20,000" in oversized.content.decode()
    assert Comment.objects.count() == 2


@override_settings(NEXUS_COMMUNITY_POSTS_PER_MINUTE=2)
@pytest.mark.usefixtures("one_posting_minute")
def test_comment_spam_on_the_page_is_429_with_retry_after(owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    client = signed_in(member)
    for _ in range(2):
        client.post(f"/entries/{entry.pk}/comments/", {"body": "spam"}, **HTMX)
    refused = client.post(f"/entries/{entry.pk}/comments/", {"body": "spam"}, **HTMX)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1


def test_reactions_and_bookmarks_with_htmx(owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    client = signed_in(member)
    for _ in range(2):  # a double click adds once
        response = client.post("/react/", {"target": "entry", "id": entry.pk, "reaction": "helpful:add"}, **HTMX)
    added = response.content.decode()
    assert (
        'value="helpful:remove" class="reaction on" aria-pressed="true" title="Helpful" aria-label="Helpful, 1">'
        in added
    )
    removed = client.post("/react/", {"target": "entry", "id": entry.pk, "reaction": "helpful:remove"}, **HTMX)
    assert 'value="helpful:add" class="reaction" aria-pressed="false" title="Helpful" aria-label="Helpful, 0">' in (
        removed.content.decode()
    )
    assert client.post("/react/", {"target": "entry", "id": "x", "reaction": "helpful:add"}).status_code == 400
    assert client.post("/react/", {"target": "entry", "id": entry.pk, "reaction": "love:add"}).status_code == 400
    bookmarked = client.post("/bookmark/", {"entry": entry.pk}, **HTMX)
    assert "Bookmarked" in bookmarked.content.decode()
    assert "Caching strategies" in client.get("/bookmarks/").content.decode()


def test_question_pages_ask_answer_accept_promote(owner: Any, member: Any) -> None:
    asker = signed_in(owner)
    asked = asker.post("/questions/ask/", {"title": "How to page a feed?", "body": "Offsets skip posts."})
    question = Question.objects.get()
    assert asked.url == f"/questions/{question.pk}/"
    answered = signed_in(member).post(f"/questions/{question.pk}/answer/", {"body": "Use a cursor."}, **HTMX)
    assert answered.status_code == 201
    answer = Answer.objects.get()
    assert signed_in(member).post(f"/answers/{answer.pk}/accept/").status_code == 403
    asker.post(f"/answers/{answer.pk}/accept/")
    html = asker.get(f"/questions/{question.pk}/").content.decode()
    assert "Accepted answer" in html
    assert "Turn into a challenge entry" in html
    promoted = asker.post(f"/questions/{question.pk}/promote/")
    assert promoted.url == "/h/owner/how-to-page-a-feed/"
    entry_page = asker.get(promoted.url).content.decode()
    assert f'From this question: <a href="/questions/{question.pk}/">' in entry_page
    assert "This question became the entry" in asker.get(f"/questions/{question.pk}/").content.decode()


def test_question_list_has_a_flat_query_count(owner: Any) -> None:
    for number in range(10):
        make_question(UserFactory(), title=f"Q{number}", topics=["caching"])
    few, _ = page_queries(Client(), "/questions/")
    for number in range(20):
        make_question(UserFactory(), title=f"More {number}", topics=["testing"], technologies=["redis"])
    many, html = page_queries(Client(), "/questions/")
    assert few == many
    assert "Older questions" not in html  # 30 fit on one page


def test_open_challenge_page_offers_to_ask(owner: Any) -> None:
    make_entry(owner, kind=EntryKind.CHALLENGE, title="Slow tests", problem="The suite takes ten minutes.")
    client = signed_in(owner)
    html = client.get("/h/owner/slow-tests/").content.decode()
    assert "Ask the cohort about this challenge" in html


def test_project_pages_announce_match_request_team(owner: Any, member: Any) -> None:
    assert "E-commerce backend" in Client().get("/projects/").content.decode()
    backend_client = signed_in(owner)
    announced = backend_client.post(
        "/projects/online-poll/announce/",
        {
            "track": "backend",
            "stack": ["django"],
            "timezone": "Europe/Lisbon",
            "api_docs_url": "https://api.example/docs/",
        },
    )
    assert announced.status_code == 302
    bad = backend_client.post("/projects/online-poll/announce/", {"track": "backend", "timezone": "Nowhere/Else"})
    assert bad.status_code == 400
    assert "IANA" in bad.content.decode()
    frontend = make_announcement(member, track="frontend", stack=["django"])
    html = backend_client.get("/projects/online-poll/").content.decode()
    assert "Ask member to collaborate" in html
    backend = make_announcement(owner)  # the same announcement, changed nothing
    request = collaboration_request_send(actor=member, recipient=backend, message="Let us build it")
    inbox = backend_client.get("/requests/").content.decode()
    assert "Let us build it" in inbox
    accepted = backend_client.post(f"/requests/{request.pk}/answer/", {"decision": "accept"})
    frontend.refresh_from_db()
    assert accepted.url == f"/teams/{frontend.team_id}/"
    team = Client().get(accepted.url).content.decode()
    assert "https://api.example/docs/" in team
    assert CollaborationRequest.objects.get().status == "accepted"


def test_missing_things_are_404(owner: Any) -> None:
    client = signed_in(owner)
    for url in ("/questions/999/", "/projects/nope/", "/teams/999/", "/questions/99999999999999999999999/"):
        assert client.get(url).status_code == 404


def test_promoted_link_is_hidden_when_the_entry_is_not_visible(owner: Any, member: Any) -> None:
    question = make_question(owner)
    answer_accept(actor=owner, answer=make_answer(member, question))
    entry = question_promote(actor=owner, question=question)
    entry_set_status(actor=owner, entry=entry, status="draft")
    html = Client().get(f"/questions/{question.pk}/").content.decode()
    assert "This question became the entry" not in html


def test_the_cached_thread_follows_every_change(owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    url = "/h/owner/caching-strategies/"
    anonymous, reader = Client(), signed_in(owner)
    assert "No comments yet" in anonymous.get(url).content.decode()
    assert "No comments yet" in reader.get(url).content.decode()
    comment = make_comment(member, entry, "Fresh words")
    assert "Fresh words" in anonymous.get(url).content.decode()
    assert "Fresh words" in reader.get(url).content.decode()
    comment_edit(actor=member, comment=comment, body="Edited words")
    assert "Edited words" in anonymous.get(url).content.decode()
    reaction_set(actor=owner, target=comment, kind="thanks")
    assert 'title="Thanks">🙏 1</span>' in anonymous.get(url).content.decode()
    profile_update(actor=member, user=member, data={"display_name": "Mia Member"})
    assert "Mia Member" in anonymous.get(url).content.decode()


def test_what_is_personal_in_the_shared_thread_travels_as_state(owner: Any, member: Any, mentor: Any) -> None:
    entry = make_entry(owner)
    mine = make_comment(member, entry, "Mine")
    theirs = make_comment(owner, entry, "Theirs")
    reaction_set(actor=member, target=theirs, kind="helpful")
    html = signed_in(member).get("/h/owner/caching-strategies/").content.decode()
    state = json.loads(re.search(r'<script id="discussion-state" type="application/json">(.*?)</script>', html)[1])
    assert state == {"mine": {str(theirs.pk): ["helpful"]}, "own": [mine.pk], "moderator": False}
    mentor_html = signed_in(mentor).get("/h/owner/caching-strategies/").content.decode()
    assert '"moderator": true' in mentor_html


def test_questions_and_projects_can_be_followed(owner: Any, member: Any) -> None:
    question = make_question(owner)
    client = signed_in(member)
    html = client.get(f"/questions/{question.pk}/").content.decode()
    assert 'name="target_type" value="community.question"' in html
    followed = client.post(
        "/notifications/follow/",
        {"target_type": "community.question", "target_id": question.pk, "action": "follow"},
        **HTMX,
    )
    assert followed.status_code == 200
    assert "Following" in client.get(f"/questions/{question.pk}/").content.decode()
    assert 'value="community.project"' in client.get("/projects/job-board/").content.decode()
