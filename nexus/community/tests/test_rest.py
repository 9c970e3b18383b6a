"""The community REST API through HTTP: threads, reactions, bookmarks, Q&A, promotion,
projects, matches, requests and teams; bad input as clear 4xx; flat query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from conftest import bearer
from nexus.accounts.tests.factories import UserFactory
from nexus.community.models import Comment, Question, Reaction
from nexus.community.tests.factories import make_announcement, make_answer, make_comment, make_question
from nexus.knowledge.models import EntryStatus
from nexus.knowledge.tests.factories import make_entry

pytestmark = pytest.mark.django_db


def queries(call: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
        assert response.status_code == 200, response.content
    return len(captured)


def test_comment_thread_reply_edit_delete(api_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    url = f"/api/v1/entries/{entry.pk}/comments"
    first = api_client.post(url, {"body": "Why **LRU**?"}, format="json", **bearer(member))
    assert first.status_code == 201
    assert first.json()["html"] == "<p>Why <strong>LRU</strong>?</p>\n"
    reply = api_client.post(url, {"body": "Memory.", "parent": first.json()["id"]}, format="json", **bearer(owner))
    assert reply.json()["parent"] == first.json()["id"]

    comment_url = f"/api/v1/comments/{first.json()['id']}"
    edited = api_client.patch(comment_url, {"body": "Why LRU?", "base_version": 1}, format="json", **bearer(member))
    assert edited.json()["version"] == 2
    stale = api_client.patch(comment_url, {"body": "x", "base_version": 1}, format="json", **bearer(member))
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "comment_conflict")
    revisions = api_client.get(f"{comment_url}/revisions").json()
    assert [(r["number"], r["body"]) for r in revisions] == [(1, "Why **LRU**?")]

    assert api_client.delete(comment_url, **bearer(member)).json()["deleted"] is True
    listed = api_client.get(url).json()["results"]
    assert [(c["deleted"], c["author"], c["body"]) for c in listed] == [
        (True, None, ""),
        (False, {"username": "owner", "display_name": "Olive Owner"}, "Memory."),
    ]


def test_comment_bad_input_is_a_clear_4xx(api_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    url = f"/api/v1/entries/{entry.pk}/comments"
    oversized = api_client.post(url, {"body": "a" * 20_001}, format="json", **bearer(member))
    assert (oversized.status_code, oversized.json()["error"]["code"]) == (413, "post_too_large")
    empty = api_client.post(url, {"body": " "}, format="json", **bearer(member))
    assert empty.status_code == 400
    unknown = api_client.post(url, {"body": "hi", "colour": "red"}, format="json", **bearer(member))
    assert "colour" in unknown.json()["error"]["details"]
    anonymous = api_client.post(url, {"body": "hi"}, format="json")
    assert anonymous.status_code == 401
    draft = make_entry(owner, title="Draft", status=EntryStatus.DRAFT)
    hidden = api_client.post(f"/api/v1/entries/{draft.pk}/comments", {"body": "hi"}, format="json", **bearer(member))
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "entry_not_found")
    other = api_client.patch(
        f"/api/v1/comments/{make_comment(owner, entry).pk}", {"body": "mine now"}, format="json", **bearer(member)
    )
    assert other.status_code == 403
    assert Comment.objects.count() == 1


@override_settings(NEXUS_COMMUNITY_POSTS_PER_MINUTE=30)
@pytest.mark.usefixtures("one_posting_minute")
def test_comment_spam_is_429_with_retry_after(api_client: Any, owner: Any, member: Any) -> None:
    url = f"/api/v1/entries/{make_entry(owner).pk}/comments"
    statuses = [
        api_client.post(url, {"body": f"spam {n}"}, format="json", **bearer(member)).status_code for n in range(100)
    ]
    assert statuses.count(201) == 30
    assert statuses.count(429) == 70
    refused = api_client.post(url, {"body": "more"}, format="json", **bearer(member))
    assert refused.json()["error"]["code"] == "posting_too_fast"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert Comment.objects.count() == 30


def test_comment_list_query_count_is_flat(api_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    url = f"/api/v1/entries/{entry.pk}/comments?page_size=100"
    for number in range(10):
        make_comment(UserFactory(), entry, f"c{number}")
    few = queries(lambda: api_client.get(url, **bearer(member)))
    for number in range(90):
        make_comment(UserFactory(), entry, f"more {number}")
    many = queries(lambda: api_client.get(url, **bearer(member)))
    assert few == many


def test_reactions_on_entries_comments_and_answers(api_client: Any, owner: Any, member: Any) -> None:
    entry = make_entry(owner)
    body = {"target": "entry", "id": entry.pk, "kind": "helpful"}
    for _ in range(2):
        state = api_client.post("/api/v1/reactions", body, format="json", **bearer(member)).json()
    assert state == {
        "target": "entry",
        "id": entry.pk,
        "reactions": {"helpful": 1, "insightful": 0, "thanks": 0},
        "my_reactions": ["helpful"],
    }
    removed = api_client.delete("/api/v1/reactions", body, format="json", **bearer(member)).json()
    assert removed["reactions"]["helpful"] == 0
    answer = make_answer(owner, make_question(member))
    thanks = {"target": "answer", "id": answer.pk, "kind": "thanks"}
    assert api_client.post("/api/v1/reactions", thanks, format="json", **bearer(member)).status_code == 200
    draft = make_entry(owner, title="Hidden", status=EntryStatus.DRAFT)
    hidden = api_client.post("/api/v1/reactions", {**body, "id": draft.pk}, format="json", **bearer(member))
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "entry_not_found")
    bad = api_client.post("/api/v1/reactions", {**body, "kind": "love"}, format="json", **bearer(member))
    assert bad.status_code == 400
    assert Reaction.objects.count() == 1


def test_bookmarks(api_client: Any, owner: Any, member: Any) -> None:
    entry, question = make_entry(owner), make_question(owner)
    api_client.post("/api/v1/bookmarks", {"entry": entry.pk}, format="json", **bearer(member))
    api_client.post("/api/v1/bookmarks", {"question": question.pk}, format="json", **bearer(member))
    listed = api_client.get("/api/v1/bookmarks", **bearer(member)).json()["results"]
    assert [b["url"] for b in listed] == [f"/questions/{question.pk}/", "/h/owner/caching-strategies/"]
    both = api_client.post("/api/v1/bookmarks", {}, format="json", **bearer(member))
    assert both.status_code == 400


def test_ask_answer_vote_accept_promote(api_client: Any, owner: Any, member: Any, outsider: Any) -> None:
    asked = api_client.post(
        "/api/v1/questions",
        {"title": "Why does my Celery task run twice?", "body": "With acks_late.", "topics": ["message-queues"]},
        format="json",
        **bearer(owner),
    )
    assert asked.status_code == 201
    question = asked.json()
    assert question["topics"] == [{"slug": "message-queues", "name": "Message Queues"}]
    qid = question["id"]
    answered = api_client.post(
        f"/api/v1/questions/{qid}/answers",
        {"body": "The worker died; make it idempotent."},
        format="json",
        **bearer(member),
    )
    aid = answered.json()["id"]
    vote = api_client.post(f"/api/v1/answers/{aid}/vote", {"value": 1}, format="json", **bearer(outsider)).json()
    assert vote == {"answer": aid, "my_vote": 1, "score": 1}

    not_yours = api_client.post(f"/api/v1/answers/{aid}/accept", **bearer(outsider))
    assert (not_yours.status_code, not_yours.json()["error"]["code"]) == (403, "permission_denied")
    early = api_client.post(f"/api/v1/questions/{qid}/promote", **bearer(owner))
    assert (early.status_code, early.json()["error"]["code"]) == (400, "answer_not_accepted")
    accepted = api_client.post(f"/api/v1/answers/{aid}/accept", **bearer(owner)).json()
    assert accepted["accepted_answer"] == aid

    promoted = api_client.post(f"/api/v1/questions/{qid}/promote", **bearer(owner))
    assert promoted.status_code == 201
    body = promoted.json()
    assert body["promoted_entry_url"] == "/h/owner/why-does-my-celery-task-run-twice/"
    entry = api_client.get(f"/api/v1/entries/{body['promoted_entry']}").json()
    assert (entry["kind"], entry["problem"]) == ("challenge", "With acks_late.")
    again = api_client.post(f"/api/v1/questions/{qid}/promote", **bearer(owner))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_promoted")

    answers = api_client.get(f"/api/v1/questions/{qid}/answers", **bearer(outsider)).json()["results"]
    assert [(a["score"], a["accepted"], a["my_vote"]) for a in answers] == [(1, True, 1)]


def test_question_bad_input(api_client: Any, owner: Any) -> None:
    missing = api_client.post("/api/v1/questions", {"title": "T"}, format="json", **bearer(owner))
    assert "body" in missing.json()["error"]["details"]
    unknown = api_client.post(
        "/api/v1/questions", {"title": "T", "body": "b", "topics": ["knitting"]}, format="json", **bearer(owner)
    )
    assert unknown.json()["error"]["details"] == {"topics": ["Unknown topic: knitting."]}
    assert api_client.get("/api/v1/questions?answered=maybe").status_code == 400
    assert api_client.get("/api/v1/questions/999999").status_code == 404
    assert Question.objects.count() == 0


def test_question_list_query_count_is_flat_and_filters(api_client: Any, owner: Any, member: Any) -> None:
    def add(count: int) -> None:
        for number in range(count):
            question = make_question(UserFactory(), title=f"Q{number}", topics=["caching"], technologies=["redis"])
            make_answer(UserFactory(), question)

    add(10)
    few = queries(lambda: api_client.get("/api/v1/questions?page_size=100"))
    add(90)
    many = queries(lambda: api_client.get("/api/v1/questions?page_size=100"))
    assert few == many
    make_question(owner, title="Unanswered", topics=["testing"])
    listed = api_client.get("/api/v1/questions?topic=testing").json()["results"]
    assert [(q["title"], q["answer_count"]) for q in listed] == [("Unanswered", 0)]
    answered = api_client.get("/api/v1/questions?answered=true").json()["results"]
    assert answered == []


def test_answer_list_query_count_is_flat(api_client: Any, owner: Any, member: Any) -> None:
    question = make_question(owner)
    url = f"/api/v1/questions/{question.pk}/answers?page_size=100"
    for _ in range(10):
        make_answer(UserFactory(), question)
    few = queries(lambda: api_client.get(url, **bearer(member)))
    for _ in range(90):
        make_answer(UserFactory(), question)
    assert queries(lambda: api_client.get(url, **bearer(member))) == few


def test_open_challenge_to_question(api_client: Any, owner: Any, member: Any) -> None:
    challenge = make_entry(owner, kind="challenge", title="Flaky CI", problem="Tests fail at random.")
    made = api_client.post(f"/api/v1/entries/{challenge.pk}/question", **bearer(owner))
    assert (made.status_code, made.json()["source_entry"]) == (201, challenge.pk)
    refused = api_client.post(f"/api/v1/entries/{challenge.pk}/question", **bearer(member))
    assert refused.status_code == 403


def test_projects_announcements_matches_requests_teams(api_client: Any, owner: Any, member: Any, mentor: Any) -> None:
    projects = api_client.get("/api/v1/projects").json()
    assert [p["slug"] for p in projects][:5] == [
        "e-commerce-backend",
        "job-board",
        "movie-recommendation",
        "online-poll",
        "social-media-feed",
    ]
    added = api_client.post("/api/v1/projects", {"title": "Library API"}, format="json", **bearer(mentor))
    assert (added.status_code, added.json()["slug"]) == (201, "library-api")
    refused = api_client.post("/api/v1/projects", {"title": "Mine"}, format="json", **bearer(member))
    assert refused.status_code == 403

    url = "/api/v1/projects/online-poll/announcements"
    backend = api_client.post(
        url,
        {
            "track": "backend",
            "stack": ["django", "graphql"],
            "timezone": "Africa/Lagos",
            "api_docs_url": "https://poll.example/api/docs/",
        },
        format="json",
        **bearer(owner),
    )
    assert backend.status_code == 200
    assert backend.json()["utc_offset_minutes"] == 60
    bad = api_client.post(url, {"timezone": "Mars/Olympus", "stack": ["cobol"]}, format="json", **bearer(member))
    assert set(bad.json()["error"]["details"]) == {"timezone", "stack"}
    api_client.post(
        url, {"track": "frontend", "stack": ["graphql"], "timezone": "Europe/Berlin"}, format="json", **bearer(member)
    )

    matches = api_client.get("/api/v1/projects/online-poll/matches", **bearer(owner)).json()
    assert [(m["user"]["username"], m["shared_stack"], m["tz_gap_minutes"]) for m in matches] == [("member", 1, 0)]
    no_announcement = api_client.get("/api/v1/projects/job-board/matches", **bearer(owner))
    assert no_announcement.status_code == 404

    sent = api_client.post(
        "/api/v1/collaboration-requests",
        {"announcement": backend.json()["id"], "message": "Team up?"},
        format="json",
        **bearer(member),
    )
    assert sent.status_code == 201
    inbox = api_client.get("/api/v1/collaboration-requests", **bearer(owner)).json()["results"]
    assert [(r["sender"]["user"]["username"], r["status"]) for r in inbox] == [("member", "pending")]
    rid = sent.json()["id"]
    assert api_client.post(f"/api/v1/collaboration-requests/{rid}/accept", **bearer(member)).status_code == 403
    accepted = api_client.post(f"/api/v1/collaboration-requests/{rid}/accept", **bearer(owner)).json()
    assert accepted["status"] == "accepted"
    team_id = accepted["recipient"]["team"]
    team = api_client.get(f"/api/v1/teams/{team_id}").json()
    assert sorted(m["user"]["username"] for m in team["members"]) == ["member", "owner"]
    assert team["api_docs"] == ["https://poll.example/api/docs/"]
    assert {m["hub_url"] for m in team["members"]} == {"/h/owner/", "/h/member/"}
    closed = api_client.post(f"/api/v1/collaboration-requests/{rid}/decline", **bearer(owner))
    assert closed.json()["error"]["code"] == "collaboration_request_closed"
    stranger = api_client.post(f"/api/v1/collaboration-requests/{rid}/accept", **bearer(mentor))
    assert stranger.status_code == 404


def test_announcement_list_query_count_is_flat(api_client: Any) -> None:
    url = "/api/v1/projects/job-board/announcements?page_size=100"
    for _ in range(10):
        make_announcement(UserFactory(), "job-board", stack=["django", "redis"])
    few = queries(lambda: api_client.get(url))
    for _ in range(40):
        make_announcement(UserFactory(), "job-board", stack=["django", "redis"])
    assert queries(lambda: api_client.get(url)) == few
